const preset = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'sdk',
  rootDir: __dirname,
  // Tests run the real server from its source, so they need no server build.
  moduleNameMapper: { ...preset.moduleNameMapper, '^@news-forum/server$': '<rootDir>/../server/src/index.ts' },
};
