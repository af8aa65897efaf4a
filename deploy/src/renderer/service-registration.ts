import { Etcd3, type Lease } from 'etcd3';
import type { Log } from '../log.js';
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
 * key that outlives its service.
 */
export async function registerService(options: {
  etcd: string[];
  names: string[];
  advertise: string;
  ttlSeconds: number;
  log: Log;
}): Promise<ServiceRegistration> {
  const client = new Etcd3({ hosts: options.etcd, dialTimeout: 2_000 });
  let lease: Lease | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const register = async (): Promise<void> => {
    if (stopped) return;
    const next = client.lease(options.ttlSeconds, { autoKeepAlive: true });
    lease = next;
    next.on('lost', (error) => {
      if (stopped || lease !== next) return;
      options.log('warn', 'lost the registration lease; registering again', { error: error.message });
      void register();
    });
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
