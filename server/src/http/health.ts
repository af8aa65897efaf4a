import express, { type Router } from 'express';
import type { Services } from '../services.js';

/** A named readiness check; it rejects when its dependency is unreachable. */
export type ReadinessCheck = () => Promise<void>;

/**
 * /healthz and /readyz. Mounted before the per-address request limit: probes
 * (the discovery sidekick, a container HEALTHCHECK, a balancer) come from one
 * address every second or so, and a refused probe would withdraw a healthy node.
 */
export function createHealthRouter(services: Services, readiness: Map<string, ReadinessCheck>): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', instance: services.config.instanceName });
  });
  const runChecks = async () => {
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
    return checks;
  };
  // Outside the request limit, probes that arrive while the checks run share them: a flood of /readyz costs the
  // store one ping at a time, not one each.
  let running: Promise<Record<string, string>> | undefined;
  router.get('/readyz', async (_req, res) => {
    running ??= runChecks().finally(() => {
      running = undefined;
    });
    const checks = await running;
    const ready = Object.values(checks).every((value) => value === 'ok');
    // Limits counted per node while Redis is away degrade the cluster, not this node: said, not failed.
    const details = { limits: services.limits.mode };
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'fail', instance: services.config.instanceName, checks, details });
  });
  return router;
}
