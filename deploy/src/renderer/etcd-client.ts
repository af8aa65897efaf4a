import { Etcd3 } from 'etcd3';

/** Longest one etcd call may wait on a member; then the client's retry policy asks another. */
export const ETCD_CALL_MS = 2_000;

/**
 * An etcd client whose calls (not its watch and keep-alive streams) give up
 * after ETCD_CALL_MS: a call to a member that hangs (paused, partitioned)
 * would otherwise never return.
 */
export function etcdClient(hosts: string[]): Etcd3 {
  return new Etcd3({
    hosts,
    dialTimeout: ETCD_CALL_MS,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_MS }),
  });
}
