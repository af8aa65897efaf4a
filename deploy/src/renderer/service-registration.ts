import type { Lease } from 'etcd3';
import type { Log } from '../log.js';
import { type EtcdTarget, etcdClient } from './etcd-client.js';
import { SUBDOMAIN_PREFIX } from './views.js';

/** Names kept under `/subdomains/` while the registration lives. */
export interface ServiceRegistration {
  /** Revokes the lease (the keys go at once) and closes the client. */
  stop(): Promise<void>;
}

/**
 * Registers `names` under `/subdomains/` of an etcd (the public proxy's), each
 * pointing at `advertise`, on one lease kept alive; when the lease is lost
 * (etcd restarted or unreachable for longer than the TTL) it registers again.
 * This is what the seed's `ExecStartPost` did with curl and etcd v2, minus the
 * key that outlives its service. A key that goes while the lease lives
 * (`etcdctl del`, another writer of the name) is written again on the lease
 * after the next keep-alive.
 */
export async function registerService(options: {
  etcd: EtcdTarget;
  names: string[];
  advertise: string;
  ttlSeconds: number;
  log: Log;
}): Promise<ServiceRegistration> {
  const client = etcdClient(options.etcd);
  let lease: Lease | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  let checking = false;
  const keepKeys = async (held: Lease): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const id = await held.grant();
      for (const name of options.names) {
        const key = `${SUBDOMAIN_PREFIX}${name}`;
        const [kv] = (await client.get(key).exec()).kvs;
        if (kv && kv.lease === id && kv.value.toString() === options.advertise) continue;
        if (stopped || lease !== held) return;
        await held.put(key).value(options.advertise);
        options.log('warn', 'a registered key was gone while its lease lived; written again', { key });
      }
    } catch (error) {
      // An unreachable etcd is the lease's to report; the next keep-alive checks again.
      options.log('debug', 'cannot check the registered keys', { error: (error as Error).message });
    } finally {
      checking = false;
    }
  };

  const register = async (): Promise<void> => {
    if (stopped) return;
    const next = client.lease(options.ttlSeconds, { autoKeepAlive: true });
    lease = next;
    next.on('lost', (error) => {
      if (stopped || lease !== next) return;
      options.log('warn', 'lost the registration lease; registering again', { error: error.message });
      void register();
    });
    next.on('keepaliveSucceeded', () => void keepKeys(next));
    try {
      for (const name of options.names) await next.put(`${SUBDOMAIN_PREFIX}${name}`).value(options.advertise);
      options.log('info', 'registered', { names: options.names, address: options.advertise });
    } catch (error) {
      if (stopped || lease !== next) return;
      options.log('warn', 'cannot register yet; retrying', { error: (error as Error).message });
      next.release();
      retry = setTimeout(() => void register(), 1_000);
    }
  };

  await register();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await lease?.revoke().catch(() => undefined);
      client.close();
    },
  };
}
