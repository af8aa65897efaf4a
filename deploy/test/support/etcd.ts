import path from 'node:path';
import { EtcdCluster } from '../../src/cluster/etcd-cluster.js';
import { PortBook } from '../../src/cluster/ports.js';
import { findPrograms } from '../../src/programs.js';

/** A started etcd cluster of `size` members in `dir`, on ports of `ports` (a PortBook of `dir` by default). */
export async function startEtcd(dir: string, size: number, ports = new PortBook(dir)): Promise<EtcdCluster> {
  const etcd = await EtcdCluster.create({
    name: 'etcd',
    size,
    dir,
    ports,
    logDir: path.join(dir, 'logs'),
    binary: findPrograms(['etcd']).etcd,
  });
  await etcd.start();
  return etcd;
}
