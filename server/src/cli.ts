#!/usr/bin/env node
import { ConfigError } from './config/config-error.js';
import { startServer } from './server.js';

/**
 * `news-forum-server`: starts one node from the environment. A bad
 * configuration value stops start-up with one line naming the variable.
 */
async function main(): Promise<void> {
  let server;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`news-forum: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
