module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'server',
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/support/rethinkdb-notice.cjs',
};
