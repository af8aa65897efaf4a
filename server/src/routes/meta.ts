import type { Handlers } from '../http/handler.js';
import { spec } from '../openapi/spec.js';

export const metaHandlers = {
  async getApiInfo({ services }) {
    return {
      status: 200,
      body: {
        name: 'news-forum',
        version: spec.info.version,
        instance: services.config.instanceName,
        editWindowSeconds: services.config.editWindowSeconds,
        flagThreshold: services.config.flagThreshold,
        flagMinAccountAgeSeconds: services.config.flagMinAccountAgeSeconds,
      },
    };
  },
} satisfies Partial<Handlers>;
