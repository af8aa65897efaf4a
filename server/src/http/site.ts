import express, { type Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { spec, specYaml } from '../openapi/spec.js';
import type { Services } from '../services.js';

/** A named readiness check; it rejects when its dependency is unreachable. */
export type ReadinessCheck = () => Promise<void>;

const DOCS_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};
`;

/** Everything outside /api: the contract, its docs, health and readiness. */
export function createSiteRouter(services: Services, readiness: Map<string, ReadinessCheck>): Router {
  const router = express.Router();
  const json = JSON.stringify(spec);
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(specYaml);
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('text/javascript').send(DOCS_INITIALIZER);
  });
  router.use('/docs', express.static(getAbsoluteFSPath(), { index: 'index.html', maxAge: '1h' }));
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', instance: services.config.instanceName });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    await Promise.all(
      [['store', () => services.store.ping()] as const, ...readiness].map(async ([name, check]) => {
        try {
          await check();
          checks[name] = 'ok';
        } catch (error) {
          // Details go to the log, not to whoever asks.
          services.logger.warn('not ready', { check: name, error: error instanceof Error ? error.message : String(error) });
          checks[name] = 'fail';
        }
      }),
    );
    const ready = Object.values(checks).every((value) => value === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'fail', instance: services.config.instanceName, checks });
  });
  return router;
}
