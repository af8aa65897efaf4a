import type { Handlers } from '../http/handler.js';
import { authHandlers } from './auth.js';
import { commentHandlers } from './comments.js';
import { metaHandlers } from './meta.js';
import { moderationHandlers } from './moderation.js';
import { notificationHandlers } from './notifications.js';
import { pageHandlers } from './pages.js';
import { postHandlers } from './posts.js';
import { userHandlers } from './users.js';

/** Every operation of openapi.yaml, by operationId. */
export const handlers: Handlers = {
  ...metaHandlers,
  ...authHandlers,
  ...userHandlers,
  ...postHandlers,
  ...commentHandlers,
  ...pageHandlers,
  ...notificationHandlers,
  ...moderationHandlers,
};
