#!/usr/bin/env node
// The cluster's demo site: the demo `npm start` serves (the widget on a page,
// the SDK example, the third-party blog), on its own forum node that shares
// the cluster's database and Redis but takes no load-balancer traffic, and
// registered as `demo` in the public proxy's etcd once it answers. Configured
// by the server's environment plus PUBLIC_ETCD_URL (and its TLS files),
// PUBLIC_ETCD_TTL and ADVERTISE_ADDR.
import { type RunningDemo, startDemo } from '@news-forum/demo';
import { ConfigError } from '@news-forum/server';
import { type EtcdAccess, readEtcdAccess } from '@news-forum/server/etcd-access';
import { jsonLog } from '../log.js';
import { registerService } from '../renderer/service-registration.js';

const log = jsonLog('demo');
// Credentials in PUBLIC_ETCD_URL (http://user:password@host:2379) sign in as that etcd user;
// PUBLIC_ETCD_CA_FILE, PUBLIC_ETCD_CERT_FILE and PUBLIC_ETCD_KEY_FILE are for https.
let etcd: EtcdAccess | undefined;
try {
  etcd = readEtcdAccess(process.env, 'PUBLIC_ETCD');
} catch (error) {
  process.stderr.write(`news-forum demo: ${(error as Error).message}\n`);
  process.exit(1);
}
let demo: RunningDemo;
try {
  demo = await startDemo();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`news-forum demo: ${error.message}\n`);
  process.exit(1);
}
// Where the proxy reaches it: ADVERTISE_ADDR in containers, else the address it listens on.
const advertise = process.env.ADVERTISE_ADDR?.trim() || new URL(demo.forum.url).host;
const registration = etcd
  ? await registerService({ etcd, names: ['demo'], advertise, ttlSeconds: Number(process.env.PUBLIC_ETCD_TTL ?? '10'), log })
  : undefined;
log('info', 'serving', { url: demo.forum.url, thirdParty: demo.thirdParty.url });

const stop = () => {
  void (async () => {
    await registration?.stop();
    await demo.close();
    process.exit(0);
  })();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
