// The shortened fault campaign: one round of each fault, a small workload.
module.exports = {
  displayName: 'chaos',
  rootDir: __dirname,
  testEnvironment: 'node',
  // Says plainly when the RethinkDB round did not run (no rethinkdb binary).
  globalSetup: '<rootDir>/../server/test/support/rethinkdb-notice.cjs',
  transform: {},
  testMatch: ['<rootDir>/test/**/*.test.mjs'],
};
