const { existsSync } = require('node:fs');

module.exports = {
  projects: ['protocol', 'server', 'sdk', 'widget', 'demo', 'deploy', 'bench', 'chaos']
    .filter((name) => existsSync(`${__dirname}/${name}/jest.config.cjs`))
    .map((name) => `<rootDir>/${name}`),
  // A global option (ignored inside projects). Tests start real servers and
  // databases on a shared 2-core machine: seconds, not milliseconds.
  testTimeout: 30_000,
  // A worker's heap grows over the suite's files (about 850 MB by the end of a run), and a process ends more
  // slowly the larger its heap: here, with nothing left to run, 130 ms at 100 MB, 330 ms at 400 MB and 1.3 s at
  // 800 MB after it was asked to. Jest waits 500 ms for a worker before it kills it and reports that it "failed
  // to exit gracefully" (in a run traced that said so, both workers held nothing after their last file but their
  // three pipes to Jest: only their heaps). A worker whose heap has grown past this after a file is replaced.
  workerIdleMemoryLimit: '384MB',
  testSequencer: '<rootDir>/scripts/test-sequencer.cjs',
};
