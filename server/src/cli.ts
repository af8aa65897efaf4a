#!/usr/bin/env node
import { ConfigError } from './config/config-error.js';
import { type RunningServer, startServer } from './server.js';

/**
 * `news-forum-server`: starts one node from the environment. A bad
 * configuration value stops start-up with one line naming the variable.
 */
async function main(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`news-forum: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { logger } = server.services;
  // A second signal cuts the waits short (the deregistration delay, requests in flight).
  const now = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (now.signal.aborted) return;
    if (stopping) {
      logger.warn('second signal: stopping now', { signal });
      now.abort();
      return;
    }
    logger.info('signal received: stopping gracefully', { signal });
    stopping = server.close({ signal: now.signal }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', { error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
