import express, { type Router } from 'express';
import { spec, specYaml } from '../openapi/spec.js';
import { serveFile } from './static-file.js';
import { swaggerUi } from './swagger-ui.js';

/** Everything outside /api but health: the contract and its docs. */
export function createSiteRouter(): Router {
  const router = express.Router();
  router.use(serveFile('/openapi.yaml', { body: specYaml, type: 'application/yaml; charset=utf-8' }));
  router.use(serveFile('/openapi.json', { body: JSON.stringify(spec), type: 'application/json; charset=utf-8' }));
  router.use('/docs', swaggerUi());
  return router;
}
