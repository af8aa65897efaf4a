import { type EtcdAccess, parseEtcdUrl } from '@news-forum/server/etcd-access';
import { Etcd3 } from 'etcd3';

/** Longest one etcd call may wait on a member; then the client's retry policy asks another. */
export const ETCD_CALL_MS = 2_000;

/**
 * Where an etcd is: URLs as ETCD_URL takes them (credentials written in them,
 * `http://user:password@host:2379`, sign in as that etcd user), or what
 * `readEtcdAccess` read (with TLS files).
 */
export type EtcdTarget = string[] | EtcdAccess;

const access = (target: EtcdTarget): EtcdAccess => (Array.isArray(target) ? parseEtcdUrl('etcd', target.join(',')) : target);

/**
 * An etcd client whose calls (not its watch and keep-alive streams) give up
 * after ETCD_CALL_MS: a call to a member that hangs (paused, partitioned)
 * would otherwise never return.
 */
export function etcdClient(target: EtcdTarget): Etcd3 {
  const { endpoints, auth, tls } = access(target);
  return new Etcd3({
    hosts: endpoints,
    ...(auth && { auth }),
    ...(tls && { credentials: tls }),
    dialTimeout: ETCD_CALL_MS,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_MS }),
  });
}

/** The endpoints of `target` without the credentials written in them, for messages. */
export function etcdEndpoints(target: EtcdTarget): string[] {
  return access(target).endpoints;
}
