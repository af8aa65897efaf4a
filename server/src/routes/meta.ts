import type { Handlers } from '../http/handler.js';
import { spec } from '../openapi/spec.js';

export const metaHandlers: Handlers = {
  async getApiInfo({ services }) {
    return { status: 200, body: { name: 'news-forum', version: spec.info.version, instance: services.config.instanceName } };
  },
};
