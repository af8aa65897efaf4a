import { parseEtcdUrl } from '@news-forum/server/etcd-url';
import { Etcd3 } from 'etcd3';

/** Longest one etcd call may wait on a member; then the client's retry policy asks another. */
export const ETCD_CALL_MS = 2_000;

/**
 * An etcd client whose calls (not its watch and keep-alive streams) give up
 * after ETCD_CALL_MS: a call to a member that hangs (paused, partitioned)
 * would otherwise never return. `urls` as ETCD_URL takes them: credentials
 * written in them (`http://user:password@host:2379`) sign the client in as
 * that etcd user.
 */
export function etcdClient(urls: string[]): Etcd3 {
  const { endpoints, auth } = parseEtcdUrl('etcd', urls.join(','));
  return new Etcd3({
    hosts: endpoints,
    ...(auth && { auth }),
    dialTimeout: ETCD_CALL_MS,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_MS }),
  });
}

/** `urls` without the credentials written in them, for messages. */
export function etcdEndpoints(urls: string[]): string[] {
  return parseEtcdUrl('etcd', urls.join(',')).endpoints;
}
