import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { Etcd3, type Watcher } from 'etcd3';
import { DeployError } from '../deploy-error.js';
import type { Log } from '../log.js';
import { waitForHttp } from '../wait.js';
import { Nginx } from './nginx.js';
import { registerService, type ServiceRegistration } from './service-registration.js';
import { bundledTemplate, renderTemplate } from './template.js';
import { type Entry, type RenderMode, readEntries, type SkippedKey, SUBDOMAIN_PREFIX, UPSTREAM_PREFIX, viewOf } from './views.js';

/** Options of {@link startRenderer}. */
export interface RendererOptions {
  mode: RenderMode;
  /** etcd endpoints to watch, e.g. `['http://127.0.0.1:2379']`. */
  etcd: string[];
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
  /** Once nginx answers, register these names under `/subdomains/` of this etcd, pointing at `advertise`. */
  register?: { etcd: string[]; names: string[]; advertise: string; ttlSeconds: number };
  log: Log;
}

/** A running renderer and its nginx. */
export interface Renderer {
  /** `http://host:port` of nginx. */
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

/**
 * Watches an etcd prefix and keeps an nginx in step with it: every change
 * re-reads the prefix, renders the template, runs `nginx -t`, and reloads
 * nginx only when the rendered text changed. Values that are not strictly
 * `host:port` are skipped with a warning; a render that `nginx -t` refuses
 * is rolled back to the last good file.
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
  };
  const nginx = new Nginx({ prefix: options.dir, log });
  await nginx.writeMain();
  const lastGood = `${nginx.site}.last-good`;
  const client = new Etcd3({ hosts: options.etcd, dialTimeout: 2_000 });

  let applied: string | undefined;
  // The last text nginx -t refused: not tried again until something changes.
  let refused: string | undefined;
  let entries: Entry[] = [];
  let skipped: SkippedKey[] = [];
  let reloads = 0;
  let rejected = 0;
  const warned = new Set<string>();

  /** Renders once; returns false when etcd could not be read (retried on the next event or tick). */
  const renderOnce = async (): Promise<boolean> => {
    let keys: Record<string, string>;
    try {
      keys = await client.getAll().prefix(keyPrefix).strings();
    } catch (error) {
      log('warn', 'cannot read etcd; keeping the current configuration', { error: (error as Error).message });
      return false;
    }
    const read = readEntries(keys, mode);
    for (const skip of read.skipped) {
      const id = `${skip.key}=${skip.value}`;
      if (!warned.has(id)) log('warn', 'skipping a malformed key', { ...skip });
      warned.add(id);
    }
    skipped = read.skipped;
    const text = renderTemplate(template, viewOf(mode, read.entries, settings));
    if (text === applied || text === refused) return true;
    if (applied !== undefined) await copyFile(nginx.site, lastGood);
    await writeFile(`${nginx.site}.next`, text);
    await rename(`${nginx.site}.next`, nginx.site);
    const check = await nginx.test();
    if (!check.ok) {
      rejected += 1;
      log('error', 'nginx -t refused the rendered configuration; keeping the last good one', { output: check.output.trim() });
      if (applied === undefined) throw new DeployError('nginx-config', `nginx -t refused the first configuration: ${check.output.trim()}`);
      await rename(lastGood, nginx.site);
      refused = text;
      return true;
    }
    applied = text;
    entries = read.entries;
    if (nginx.running) {
      reloads += 1;
      await nginx.reload();
    } else {
      nginx.start();
    }
    log('info', 'rendered', { entries: entries.map((e) => `${e.name}=${e.address}`), reloads });
    return true;
  };

  // One render at a time; changes during a render ask for one more.
  let running: Promise<void> | undefined;
  let again = false;
  const schedule = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await renderOnce();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // Watch first, then read: a change between the two is seen by the watch.
  const watcher: Watcher = await client.watch().prefix(keyPrefix).create();
  watcher.on('put', () => void schedule().catch(report));
  watcher.on('delete', () => void schedule().catch(report));
  // After etcd comes back, what changed meanwhile may not replay: read everything again.
  watcher.on('connected', () => void schedule().catch(report));
  watcher.on('disconnected', () => log('warn', 'lost the etcd watch; retrying'));
  watcher.on('error', (error) => log('warn', 'etcd watch error', { error: error.message }));
  // A safety net for a missed event: compare with etcd every few seconds (renders only on change).
  const tick = setInterval(() => void schedule().catch(report), 5_000);
  function report(error: unknown) {
    log('error', 'render failed', { error: (error as Error).message });
  }

  const cleanup = async () => {
    clearInterval(tick);
    await watcher.cancel().catch(() => undefined);
    client.close();
    await nginx.stop();
  };

  try {
    await schedule();
    if (applied === undefined) throw new DeployError('start-timeout', `cannot read etcd at ${options.etcd.join(',')}`);
  } catch (error) {
    await cleanup();
    throw error;
  }

  const [host, port] = [
    options.listen.slice(0, options.listen.lastIndexOf(':')),
    options.listen.slice(options.listen.lastIndexOf(':') + 1),
  ];
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  let registration: ServiceRegistration | undefined;
  try {
    // nginx answers anything (a 503 problem with no nodes): any HTTP answer means it serves.
    await waitForHttp(`${url}/`, { timeoutMs: 15_000, accept: () => true });
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
