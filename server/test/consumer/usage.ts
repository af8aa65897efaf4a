// Type-checked by package.test.ts in a fresh project that installed the packed server.
import {
  ConfigError,
  createApp,
  DEFAULT_LIMITS,
  loadConfig,
  loadWidgetBundle,
  ProblemError,
  type RunningServer,
  type StartOptions,
  type Store,
  serveFile,
  startServer,
} from '@news-forum/server';
import { type EtcdAccess, parseEtcdUrl } from '@news-forum/server/etcd-access';

const options: StartOptions = {
  env: { PORT: '0', DATA_DIR: '/tmp/forum' },
  limits: { requestsPerIp: { max: DEFAULT_LIMITS.requestsPerIp.max * 2, windowMs: 60_000 } },
  site: [serveFile('/robots.txt', { body: 'User-agent: *\n', type: 'text/plain' })],
  widget: loadWidgetBundle(),
};
const server: RunningServer = await startServer(options);
const store: Store = server.services.store;
const app = createApp(server.services);
console.log(server.url, store.kind, typeof app.listen, loadConfig({ PORT: '0' }).port, new ProblemError('not-found').status);
try {
  loadConfig({ PORT: 'x' });
} catch (error) {
  if (error instanceof ConfigError) console.log(error.variable);
}
await server.close();

// @ts-expect-error the environment holds strings
await startServer({ env: { PORT: 0 } });
// @ts-expect-error there is no such problem kind
new ProblemError('teapot');

const etcd: EtcdAccess = parseEtcdUrl('ETCD_URL', 'https://etcd1:2379');
console.log(etcd.endpoints.length, etcd.auth?.username);
