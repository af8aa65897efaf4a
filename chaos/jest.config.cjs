// The shortened fault campaign: one round of each fault, a small workload.
module.exports = {
  displayName: 'chaos',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {},
  testMatch: ['<rootDir>/test/**/*.test.mjs'],
};
