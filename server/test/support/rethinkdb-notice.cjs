// Jest global setup (of the server and deploy projects): says once per run, in one plain line, when the
// RethinkDB tests do not run. Jest requires it once for every project that lists it, in one process.
const { accessSync, constants } = require('node:fs');
const path = require('node:path');

let said = false;

module.exports = async function rethinkdbNotice() {
  if (said) return;
  said = true;
  const candidates = process.env.RETHINKDB_BIN
    ? [process.env.RETHINKDB_BIN]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'rethinkdb'));
  const found = candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    process.stdout.write(
      '\nRethinkDB tests did not run: no rethinkdb binary (set RETHINKDB_BIN or put rethinkdb on PATH; see README "RethinkDB")\n',
    );
  }
};
