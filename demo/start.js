#!/usr/bin/env node

// `npm start`: one forum node with the embedded store, the demo site and the
// third-party blog. Configured by the environment (see the root README).

import { startDemo } from '@news-forum/demo';
import { ConfigError } from '@news-forum/server';

let demo;
try {
  demo = await startDemo();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`news-forum: ${error.message}\n`);
  process.exit(1);
}

const local = (url) => url.replace('//127.0.0.1:', '//localhost:');
process.stdout.write(
  [
    `news-forum is running (store: ${demo.forum.config.store}, data: ${demo.forum.config.dataDir})`,
    `  forum and demo     ${local(demo.forum.url)}/`,
    `  API docs           ${local(demo.forum.url)}/docs`,
    `  third-party blog   ${local(demo.thirdParty.url)}/  (another origin embedding the widget)`,
    '',
  ].join('\n'),
);

const stop = () => {
  void demo.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
