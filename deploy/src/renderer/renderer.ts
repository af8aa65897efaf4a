import { once } from 'node:events';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Watcher } from 'etcd3';
import { DeployError } from '../deploy-error.js';
import type { Log } from '../log.js';
import { waitFor, waitForHttp } from '../wait.js';
import { ETCD_CALL_MS, type EtcdTarget, etcdClient, etcdEndpoints } from './etcd-client.js';
import { Nginx } from './nginx.js';
import { registerService, type ServiceRegistration } from './service-registration.js';
import { bundledTemplate, renderTemplate } from './template.js';
import { type Entry, type RenderMode, readEntries, type SkippedKey, SUBDOMAIN_PREFIX, UPSTREAM_PREFIX, viewOf } from './views.js';

/** Options of {@link startRenderer}. */
export interface RendererOptions {
  mode: RenderMode;
  /** The etcd to watch, e.g. `['http://127.0.0.1:2379']` (see EtcdTarget). */
  etcd: EtcdTarget;
  /** nginx's prefix: the main configuration, the rendered file, the pid and temp files go here. */
  dir: string;
  /** What nginx listens on, `host:port`. */
  listen: string;
  /** Key prefix; default `/services/news-forum/upstream/` (load balancer) or `/subdomains/` (proxy). */
  keyPrefix?: string;
  /** Template file; default the package's `load-balancer.conf.mustache` or `public-proxy.conf.mustache`. */
  template?: string;
  /** Proxy mode: the domain of the virtual hosts (`api.<domain>`); default `localhost`. */
  domain?: string;
  /** Load-balancer mode: addresses allowed to set the client address with X-Forwarded-For. */
  trustedProxies?: string[];
  /** Proxy mode: serve HTTPS with this certificate and key (absolute paths of PEM files nginx reads). */
  tls?: { certificate: string; key: string };
  /**
   * How long a set of keys `nginx -t` refused is left before it is tried again without a change in etcd (a host that
   * did not resolve may resolve now); default 30 s.
   */
  refusedRetryMs?: number;
  /** Once nginx answers, register these names under `/subdomains/` of this etcd, pointing at `advertise`. */
  register?: { etcd: EtcdTarget; names: string[]; advertise: string; ttlSeconds: number };
  log: Log;
}

/** A running renderer and its nginx. */
export interface Renderer {
  /** `http://host:port` of nginx (`https://` with `tls`). */
  url: string;
  /** The entries of the configuration nginx runs now. */
  readonly entries: readonly Entry[];
  /** Keys left out of the last render. */
  readonly skipped: readonly SkippedKey[];
  /** How many times nginx was told to reload (not counting its start). */
  readonly reloads: number;
  /** How many renders were refused by `nginx -t` and rolled back. */
  readonly rejected: number;
  /** Path of the rendered file. */
  readonly site: string;
  nginxPid(): number | undefined;
  /** Resolves after the keys now in etcd have been rendered (and nginx reloaded if they changed). */
  settle(): Promise<void>;
  /** Deregisters, stops watching and stops nginx. */
  stop(): Promise<void>;
}

/** How long after nginx exits on its own it is started again (a master that cannot bind exits at once). */
const NGINX_RESTART_MS = 1_000;
/** How often etcd is read whatever the watch says. */
const RESYNC_MS = 5_000;
/** A watch reports a change within milliseconds; one a read saw this long ago and the watch did not is lost. */
const WATCH_LAG_MS = 1_000;
/** See RendererOptions.refusedRetryMs. */
const REFUSED_RETRY_MS = 30_000;

function sortedByName(set: Entry[]): Entry[] {
  return [...set].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Watches an etcd prefix and keeps an nginx in step with it: every change
 * re-reads the prefix, renders the template, runs `nginx -t`, and reloads
 * nginx only when the rendered text changed. Values that are not strictly
 * `host:port` are skipped with a warning; of a render that `nginx -t`
 * refuses, the entries nginx runs and each new one it accepts beside them
 * are rendered, the others skipped with a warning until etcd changes or
 * `refusedRetryMs` passes.
 *
 * @example
 * const lb = await startRenderer({ mode: 'load-balancer', etcd: ['http://127.0.0.1:2379'],
 *   dir: '/var/lib/news-forum-lb', listen: '0.0.0.0:80', log: jsonLog('lb') });
 */
export async function startRenderer(options: RendererOptions): Promise<Renderer> {
  const { mode, log } = options;
  const keyPrefix = options.keyPrefix ?? (mode === 'load-balancer' ? UPSTREAM_PREFIX : SUBDOMAIN_PREFIX);
  const template =
    options.template ?? bundledTemplate(mode === 'load-balancer' ? 'load-balancer.conf.mustache' : 'public-proxy.conf.mustache');
  const settings = {
    listen: options.listen,
    keyPrefix,
    domain: options.domain ?? 'localhost',
    trustedProxies: options.trustedProxies ?? [],
    ...(options.tls && { tls: options.tls }),
  };
  if (options.tls && mode !== 'proxy') throw new DeployError('bad-option', 'TLS is for the public proxy (--mode proxy)');
  const nginx = new Nginx({ prefix: options.dir, log, onExit: () => restartNginx() });
  await nginx.writeMain();
  const lastGood = `${nginx.site}.last-good`;
  // Renders wait on each other: a call that never returned would hold every later one.
  const client = etcdClient(options.etcd);

  let applied: string | undefined;
  // The last text nginx -t refused: not tried again until something changes, or until refusedRetryAt.
  let refused: string | undefined;
  let refusedRetryAt = 0;
  let entries: Entry[] = [];
  let skipped: SkippedKey[] = [];
  let reloads = 0;
  let rejected = 0;
  const warned = new Set<string>();
  let stopped = false;
  // Until nginx first listens, its exit fails the start instead of being retried (see below).
  let started = false;
  let restart: NodeJS.Timeout | undefined;
  // Tries a refused set again when its retry is due, rather than at the next resync after it.
  let retry: NodeJS.Timeout | undefined;

  // nginx gone on its own (killed, crashed): started again with what was last rendered, as a supervisor would.
  function restartNginx() {
    if (!started) return;
    restart = setTimeout(() => {
      if (stopped || applied === undefined) return;
      log('warn', 'starting nginx again');
      nginx.start();
    }, NGINX_RESTART_MS);
  }

  /** Writes the site file for `set` and asks `nginx -t` about it. */
  const tryRender = async (set: Entry[]): Promise<{ text: string; ok: boolean; output: string }> => {
    const text = renderTemplate(template, viewOf(mode, set, settings));
    await writeFile(`${nginx.site}.next`, text);
    await rename(`${nginx.site}.next`, nginx.site);
    const check = await nginx.test();
    return { text, ok: check.ok, output: check.output.trim() };
  };

  /**
   * What nginx takes of a set it refused as a whole: the entries it runs now,
   * and each new one that `nginx -t` accepts beside them (a host that does not
   * resolve is refused); the others are skipped until etcd changes or the
   * retry is due.
   */
  const acceptable = async (set: Entry[]): Promise<{ kept: Entry[]; refusedEntries: SkippedKey[] }> => {
    const running = new Set(entries.map((entry) => `${entry.name}=${entry.address}`));
    const kept = set.filter((entry) => running.has(`${entry.name}=${entry.address}`));
    const refusedEntries: SkippedKey[] = [];
    for (const entry of set.filter((candidate) => !running.has(`${candidate.name}=${candidate.address}`))) {
      if (stopped) break;
      const check = await tryRender(sortedByName([...kept, entry]));
      if (check.ok) kept.push(entry);
      else refusedEntries.push({ key: `${keyPrefix}${entry.name}`, value: entry.address, reason: `nginx -t refused it: ${check.output}` });
    }
    return { kept: sortedByName(kept), refusedEntries };
  };

  /** Why etcd could not be read the last time it could not. */
  let readError = '';
  /** Renders once; returns false when etcd could not be read (retried on the next event or tick). */
  const renderOnce = async (): Promise<boolean> => {
    let keys: Record<string, string>;
    try {
      keys = await client.getAll().prefix(keyPrefix).strings();
    } catch (error) {
      readable = false;
      readError = (error as Error).message;
      log('warn', 'cannot read etcd; keeping the current configuration', { error: readError });
      return false;
    }
    readable = true;
    if (stopped) return true;
    const seen = JSON.stringify(keys);
    if (lastRead !== undefined && seen !== lastRead && !heard) missedSince ??= Date.now();
    lastRead = seen;
    heard = false;
    const read = readEntries(keys, mode, keyPrefix);
    const wanted = renderTemplate(template, viewOf(mode, read.entries, settings));
    if (wanted === refused && Date.now() < refusedRetryAt) return true;
    refused = undefined;
    let set = read.entries;
    let rendered: { text: string; ok: boolean; output: string } | undefined;
    if (wanted !== applied) {
      if (applied !== undefined) await copyFile(nginx.site, lastGood);
      rendered = await tryRender(set);
      if (!rendered.ok) {
        rejected += 1;
        log('error', 'nginx -t refused the rendered configuration; rendering what it takes', { output: rendered.output });
        refused = wanted;
        const retryMs = options.refusedRetryMs ?? REFUSED_RETRY_MS;
        refusedRetryAt = Date.now() + retryMs;
        clearTimeout(retry);
        retry = setTimeout(() => void schedule().catch(report), retryMs);
        const { kept, refusedEntries } = await acceptable(set);
        if (stopped) return true;
        set = kept;
        read.skipped.push(...refusedEntries);
        rendered = await tryRender(set);
      }
    }
    for (const skip of read.skipped) {
      const id = `${skip.key}=${skip.value}`;
      if (!warned.has(id)) log('warn', 'skipping a key', { ...skip });
      warned.add(id);
    }
    skipped = read.skipped;
    if (!rendered) return true;
    if (!rendered.ok) {
      // Even what runs now is refused (a host of it no longer resolves): nginx keeps the last good file.
      if (applied === undefined) throw new DeployError('nginx-config', `nginx -t refused the first configuration: ${rendered.output}`);
      await rename(lastGood, nginx.site);
      return true;
    }
    if (rendered.text === applied) {
      await rm(lastGood, { force: true });
      return true;
    }
    if (nginx.running) {
      reloads += 1;
      if (!(await nginx.reload())) {
        // It runs what it ran: what it was given is tried again on the next tick (nothing else would change it).
        log('error', 'nginx kept its configuration after the reload; trying again', {
          entries: set.map((e) => `${e.name}=${e.address}`),
        });
        return true;
      }
    } else {
      nginx.start();
    }
    applied = rendered.text;
    entries = set;
    log('info', 'rendered', { entries: entries.map((e) => `${e.name}=${e.address}`), reloads });
    return true;
  };

  // One render at a time; changes during a render ask for one more.
  let running: Promise<void> | undefined;
  let again = false;
  const schedule = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await renderOnce();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // A watch stream to a member that hangs stays open and says nothing. Such
  // a watch is replaced by one on a new stream (the client picks a member at
  // random) when it is not set up within a call's deadline while etcd can be
  // read, or when a read finds a change it did not report. Waiting for etcd's
  // progress notices instead would take ten minutes at its defaults.
  let watcher: Watcher;
  // Whether the watch said anything since the last read, what that read saw, and since when the watch is behind it.
  let heard = true;
  let lastRead: string | undefined;
  let missedSince: number | undefined;
  let readable = false;
  const openWatch = (): Watcher => {
    const next = client.namespace('').watch().prefix(keyPrefix).watcher();
    const live = () => next === watcher;
    let connected = false;
    const changed = () => {
      if (!live()) return;
      heard = true;
      missedSince = undefined;
      void schedule().catch(report);
    };
    next.on('data', changed);
    // After etcd comes back, what changed meanwhile may not replay: read everything again.
    next.on('connected', () => {
      connected = true;
      changed();
    });
    next.on('disconnected', () => live() && log('warn', 'lost the etcd watch; retrying'));
    next.on('error', (error) => live() && log('warn', 'etcd watch error', { error: error.message }));
    setTimeout(() => {
      if (live() && !connected && readable && !stopped) rewatch('no answer to the watch request');
    }, ETCD_CALL_MS).unref();
    return next;
  };
  const rewatch = (reason: string) => {
    log('warn', 'the etcd watch is stuck; watching again', { reason });
    const stale = watcher;
    watcher = openWatch();
    missedSince = undefined;
    // A hung member answers the cancel only once it runs again.
    void stale.cancel().catch(() => undefined);
  };
  // A safety net for a missed event: compare with etcd every few seconds (renders only on change).
  const tick = setInterval(() => {
    if (missedSince !== undefined && Date.now() - missedSince > WATCH_LAG_MS) rewatch('it missed a change');
    void schedule().catch(report);
  }, RESYNC_MS);
  function report(error: unknown) {
    log('error', 'render failed', { error: (error as Error).message });
  }

  const cleanup = async () => {
    stopped = true;
    clearTimeout(restart);
    clearTimeout(retry);
    clearInterval(tick);
    await Promise.race([watcher.cancel().catch(() => undefined), delay(ETCD_CALL_MS, undefined, { ref: false })]);
    client.close();
    // A render under way would still write into the directory, or start nginx after it was stopped.
    await running?.catch(() => undefined);
    await nginx.stop();
  };

  try {
    // Watch first, then read: a change between the two is seen by the watch, or by the next read.
    watcher = openWatch();
    // A watch etcd refuses (a user without the prefix) is the read's to report, below.
    const connected = once(watcher, 'connected').catch(() => undefined);
    await Promise.race([connected, delay(ETCD_CALL_MS, undefined, { ref: false })]);
    await schedule();
    if (applied === undefined) {
      throw new DeployError('start-timeout', `cannot read etcd at ${etcdEndpoints(options.etcd).join(',')}: ${readError}`);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  const [host, port] = [
    options.listen.slice(0, options.listen.lastIndexOf(':')),
    options.listen.slice(options.listen.lastIndexOf(':') + 1),
  ];
  const hostPort = `${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${hostPort}`;
  let registration: ServiceRegistration | undefined;
  try {
    // An nginx that cannot listen (the address taken, a port it may not bind) exits at once, and started again it
    // would fail the same way forever, while a supervisor sees this process run: say so and stop instead.
    try {
      await waitFor(() => nginx.listening(), `nginx listening on ${options.listen}`, 15_000, { alive: () => nginx.running });
    } catch (error) {
      const reason = nginx.running ? (error as Error).message : (await nginx.exitReason()) || 'it exited';
      throw new DeployError('process-exited', `nginx cannot listen on ${options.listen} (--listen): ${reason}`);
    }
    started = true;
    // nginx answers anything (a 503 problem with no nodes; a plain request on its HTTPS port, a 400): any HTTP answer
    // means it serves.
    await waitForHttp(`http://${hostPort}/`, { timeoutMs: 15_000, accept: () => true });
    if (options.register) {
      registration = await registerService({ ...options.register, log });
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  return {
    url,
    get entries() {
      return entries;
    },
    get skipped() {
      return skipped;
    },
    get reloads() {
      return reloads;
    },
    get rejected() {
      return rejected;
    },
    site: nginx.site,
    nginxPid: () => nginx.pid,
    settle: () => schedule(),
    async stop() {
      await registration?.stop();
      await cleanup();
      await rm(lastGood, { force: true });
    },
  };
}
