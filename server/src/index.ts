// The package's entry point: the API of api.ts, loaded from the bundle when it
// is current (see load-bundle.ts). Classes are exported as values and as types.
import type * as api from './api.js';
import { modules } from './load-bundle.js';

export type {
  AppOptions,
  Config,
  Env,
  LimitSettings,
  OpenStoreOptions,
  ProblemBody,
  ProblemKind,
  RunningServer,
  SiteHandler,
  StartOptions,
  Store,
  StoreErrorKind,
  WidgetBundle,
} from './api.js';

export type ConfigError = api.ConfigError;
export type ProblemError = api.ProblemError;
export type StoreError = api.StoreError;

export const {
  createApp,
  loadConfig,
  ConfigError,
  listenError,
  contentType,
  serveFile,
  sha256,
  loadWidgetBundle,
  DEFAULT_LIMITS,
  isProblemError,
  ProblemError,
  startServer,
  openStore,
  StoreError,
} = modules;
