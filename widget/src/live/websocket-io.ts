// The part of socket.io-client's `io()` that the SDK's live connection uses,
// over the browser's WebSocket alone: Engine.IO v4 and Socket.IO v5 text
// packets on the default namespace, acknowledgements with timeouts, auth sent
// on every (re)connect, and reconnection with socket.io's backoff. The bundle
// puts it in socket.io-client's place (scripts/websocket-only.mjs), because
// the library (11 KiB of the 30 a reader downloaded) cannot leave its HTTP
// long-polling transport and upgrade logic out. Binary packets, namespaces
// and polling are not supported: the forum uses none of them, and its list
// still loads over REST where WebSocket is blocked.

type Listener = (...args: never[]) => void;
type Ack = (...args: unknown[]) => void;

/** socket.io-client options this honours; others are accepted and ignored. */
export interface WebSocketIoOptions {
  path?: string;
  auth?: (send: (data: object) => void) => void;
  reconnection?: boolean;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationFactor?: number;
  /** Time to wait for the connection to open, in ms; socket.io-client's default is 20 000. */
  timeout?: number;
}

/** Why socket.io-client calls a connection failed; SDK errors carry the message. */
const failure = (message: string, data?: unknown) => Object.assign(new Error(message), data === undefined ? {} : { data });

export class WebSocketIo {
  connected = false;
  active = false;
  readonly #url: string;
  readonly #options: WebSocketIoOptions;
  #listeners = new Map<string, Listener[]>();
  #ws: WebSocket | undefined;
  #acks = new Map<number, Ack>();
  #nextId = 0;
  #buffer: string[] = [];
  #attempts = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  /** How long the server may stay silent: its ping interval plus ping timeout. */
  #silenceMs = 45_000;
  #timeoutMs = 0;

  constructor(uri: string, options: WebSocketIoOptions) {
    const url = new URL(`${(options.path ?? '/socket.io').replace(/\/*$/, '/')}?EIO=4&transport=websocket`, uri);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#url = url.href;
    this.#options = options;
    this.connect();
  }

  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  removeAllListeners(): this {
    this.#listeners.clear();
    return this;
  }

  /** The next `emit` gives up waiting for its acknowledgement after `ms`, calling back with an error first. */
  timeout(ms: number): this {
    this.#timeoutMs = ms;
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    const timeoutMs = this.#timeoutMs;
    this.#timeoutMs = 0;
    let id = '';
    if (typeof args.at(-1) === 'function') {
      const callback = args.pop() as Ack;
      const key = this.#nextId++;
      id = String(key);
      const timer = timeoutMs && setTimeout(() => this.#acks.delete(key) && callback(failure('operation has timed out')), timeoutMs);
      this.#acks.set(key, (...reply) => {
        clearTimeout(timer);
        if (timeoutMs) callback(null, ...reply);
        else callback(...reply);
      });
    }
    const packet = `2${id}${JSON.stringify([event, ...args])}`;
    if (this.connected) this.#send(packet);
    else this.#buffer.push(packet);
    return this;
  }

  connect(): this {
    if (this.active && this.#ws) return this;
    this.active = true;
    this.#open();
    return this;
  }

  disconnect(): this {
    if (this.connected) this.#send('1');
    this.active = false;
    this.#close('io client disconnect');
    return this;
  }

  #fire(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as Ack)(...args);
  }

  #send(packet: string): void {
    this.#ws?.send(`4${packet}`);
  }

  #open(): void {
    clearTimeout(this.#timer);
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    this.#timer = setTimeout(() => this.#lost(ws, 'timeout'), this.#options.timeout ?? 20_000);
    // Every error is followed by `close`, which handles it.
    ws.onerror = () => {};
    ws.onclose = () => this.#lost(ws, this.connected ? 'transport close' : 'websocket error');
    ws.onmessage = ({ data }) => {
      if (this.#ws === ws && typeof data === 'string') this.#receive(data);
    };
  }

  #receive(data: string): void {
    const type = data[0];
    if (type === '0') {
      clearTimeout(this.#timer);
      const { pingInterval, pingTimeout } = JSON.parse(data.slice(1));
      this.#silenceMs = pingInterval + pingTimeout;
      this.#beat();
      const auth = this.#options.auth ?? ((send) => send({}));
      auth((payload) => this.#send(`0${JSON.stringify(payload)}`));
    } else if (type === '2') {
      this.#beat();
      this.#ws?.send('3');
    } else if (type === '1') {
      this.#lost(this.#ws, 'transport close');
    } else if (type === '4') {
      this.#packet(data[1], data.slice(2));
    }
  }

  /** The server pinged (or opened): it is gone if it stays silent longer than it promised. */
  #beat(): void {
    clearTimeout(this.#pingTimer);
    const ws = this.#ws;
    this.#pingTimer = setTimeout(() => this.#lost(ws, 'ping timeout'), this.#silenceMs);
  }

  #packet(type: string | undefined, body: string): void {
    if (type === '0') {
      this.connected = true;
      this.#attempts = 0;
      this.#fire('connect');
      for (const packet of this.#buffer.splice(0)) this.#send(packet);
    } else if (type === '4') {
      const { message, data } = JSON.parse(body);
      this.active = false;
      this.#close();
      this.#fire('connect_error', failure(message, data));
    } else if (type === '1') {
      this.active = false;
      this.#close('io server disconnect');
    } else if (type === '2' || type === '3') {
      const start = body.indexOf('[');
      const id = body.slice(0, start);
      const args: unknown[] = JSON.parse(body.slice(start));
      if (type === '3') {
        const ack = this.#acks.get(Number(id));
        this.#acks.delete(Number(id));
        ack?.(...args);
      } else {
        this.#fire(String(args[0]), ...args.slice(1));
      }
    }
  }

  /** The WebSocket `ws` closed or stopped answering: reports it and, unless stopped, tries again later. */
  #lost(ws: WebSocket | undefined, reason: string): void {
    if (!ws || ws !== this.#ws) return;
    const wasConnected = this.connected;
    this.#close(wasConnected ? reason : undefined);
    if (!wasConnected) this.#fire('connect_error', failure(reason));
    if (!this.active || this.#options.reconnection === false) {
      this.active = false;
      return;
    }
    const { reconnectionDelay = 1000, reconnectionDelayMax = 5000, randomizationFactor = 0.5 } = this.#options;
    const delay = reconnectionDelay * 2 ** this.#attempts++ * (1 + randomizationFactor * (2 * Math.random() - 1));
    this.#timer = setTimeout(() => this.#open(), Math.min(delay, reconnectionDelayMax));
  }

  /** Closes the WebSocket; if it was connected, reports `disconnect` with `reason`. */
  #close(reason?: string): void {
    const ws = this.#ws;
    this.#ws = undefined;
    clearTimeout(this.#timer);
    clearTimeout(this.#pingTimer);
    if (ws) {
      ws.onclose = ws.onmessage = null;
      ws.close();
    }
    const wasConnected = this.connected;
    this.connected = false;
    if (wasConnected && reason) this.#fire('disconnect', reason);
  }
}

/** socket.io-client's `io(uri, options)`, WebSocket only: always a new connection. */
export const io = (uri: string, options: WebSocketIoOptions = {}) => new WebSocketIo(uri, options);
