module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'deploy',
  rootDir: __dirname,
  // deploy/test/rethinkdb-cluster.test.ts runs only with a rethinkdb binary; the line saying when it did not is the server's.
  globalSetup: '<rootDir>/../server/test/support/rethinkdb-notice.cjs',
};
