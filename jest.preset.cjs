// Shared jest settings: TypeScript compiled by SWC to native ESM, run under
// node --experimental-vm-modules (PGlite, socket.io-client and Lit ship ESM).
module.exports = {
  testEnvironment: 'node',
  // Tests start real servers and databases on a shared 2-core machine: seconds, not milliseconds.
  testTimeout: 30_000,
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
