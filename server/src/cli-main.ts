import { backup, restore, USAGE } from './backup/commands.js';
import { ConfigError } from './config/config-error.js';
import { type RunningServer, startServer } from './server.js';

/** `backup FILE`, `restore FILE`, `--help`: prints one line and exits. */
async function runCommand(args: string[]): Promise<never> {
  const [command, file, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help' || file === '--help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if ((command !== 'backup' && command !== 'restore') || !file || rest.length > 0) {
    process.stderr.write(`news-forum: unknown command "${args.join(' ')}"\n\n${USAGE}\n`);
    process.exit(2);
  }
  try {
    const line = await (command === 'backup' ? backup : restore)(file, process.env);
    process.stdout.write(`${line}\n`);
    process.exit(0);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`news-forum: ${command} failed: ${message.split('\n')[0]}\n`);
    process.exit(1);
  }
}

/**
 * `news-forum-server`: starts one node from the environment, or runs a
 * command (`backup FILE`, `restore FILE`, `--help`). A bad
 * configuration value stops start-up with one line naming the variable.
 */
export async function runCli(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length > 0) await runCommand(args);
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
