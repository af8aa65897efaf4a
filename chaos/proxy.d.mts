/** A TCP proxy on 127.0.0.1 whose connections can be cut and restored. */
export interface Proxy {
  readonly port: number;
  /** Drops every connection through the proxy and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export function startProxy(target: { host: string; port: number }): Promise<Proxy>;
