const { existsSync } = require('node:fs');

module.exports = {
  projects: ['protocol', 'server', 'sdk', 'widget', 'demo', 'deploy', 'bench', 'chaos']
    .filter((name) => existsSync(`${__dirname}/${name}/jest.config.cjs`))
    .map((name) => `<rootDir>/${name}`),
  // A global option (ignored inside projects). Tests start real servers and
  // databases on a shared 2-core machine: seconds, not milliseconds.
  testTimeout: 30_000,
  // A worker's heap grows over the suite's files (about 850 MB by the end of a run), and a process with a heap
  // that size takes 300–500 ms to end after its last event, about as long as Jest waits for a worker before it
  // kills it and reports that it "failed to exit gracefully". A worker whose heap has grown past this after a
  // file is replaced by a fresh one.
  workerIdleMemoryLimit: '512MB',
};
