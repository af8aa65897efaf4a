import { ConsecutiveBreaker, circuitBreaker, handleWhen, retry } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import type { EtcdAccess } from '../config/etcd-access.js';

/** Longest a single etcd call may take, so a black-holed endpoint cannot stall registration or a stop. */
const MAX_CALL_MS = 3000;

/**
 * An etcd v3 client tuned for registration: every unary call has a deadline
 * shorter than the lease, and an endpoint that failed is tried again after a
 * second rather than the library's five, so a node re-registers well within
 * one TTL of etcd coming back. With `auth`, the client signs in as that etcd
 * user and signs in again when etcd forgets its token; with `tls`, it checks
 * etcd's certificate against those and shows its own.
 */
export function createEtcdClient({ endpoints, auth, tls }: EtcdAccess, ttlSeconds: number): Etcd3 {
  const callMs = Math.min(MAX_CALL_MS, (ttlSeconds * 1000) / 2);
  return new Etcd3({
    hosts: endpoints,
    ...(auth && { auth }),
    ...(tls && { credentials: tls }),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callMs }),
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
      // Each retry picks another endpoint: one try for each.
      global: retry(handleWhen(isRecoverableError), { maxAttempts: endpoints.length - 1 }),
    },
  });
}
