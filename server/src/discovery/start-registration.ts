import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from './advertise-address.js';
import type { Registration } from './registration.js';

/**
 * Starts registering a node that listens on `port` when ETCD_URL is set.
 * The etcd client (gRPC) is loaded only then: it would cost every single
 * node a second of start-up.
 */
export async function startRegistration(config: Config, port: number, logger: Logger): Promise<Registration | undefined> {
  if (!config.etcd) return undefined;
  const { Registration } = await import('./registration.js');
  const { advertise } = config.etcd;
  const registration = new Registration({
    ...config.etcd,
    name: config.instanceName,
    address: formatHostPort(advertise.host, advertise.port ?? port),
    logger,
  });
  registration.start();
  return registration;
}
