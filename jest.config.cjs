const { existsSync } = require('node:fs');

module.exports = {
  projects: ['protocol', 'server', 'sdk', 'widget', 'demo', 'deploy', 'bench', 'chaos']
    .filter((name) => existsSync(`${__dirname}/${name}/jest.config.cjs`))
    .map((name) => `<rootDir>/${name}`),
  // A global option (ignored inside projects). Tests start real servers and
  // databases on a shared 2-core machine: seconds, not milliseconds.
  testTimeout: 30_000,
};
