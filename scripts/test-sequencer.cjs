// Starts the longest test files first, so that two workers finish together.
// Jest does so from its cache, which a fresh clone (CI) has not: there it
// ordered by file size, and one worker sat idle for the last minute. The
// durations of a past run (scripts/test-durations.json, written by
// `node scripts/test-durations.mjs` after `npm test`) stand in for the cache.
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const known = require('./test-durations.json');

/** A file not in the table yet is guessed as long, so that it does not start last. */
const UNKNOWN_MS = 30_000;
const root = relative.bind(null, `${__dirname}/..`);

module.exports = class KnownDurationsSequencer extends Sequencer {
  time(test) {
    const seconds = known[root(test.path)];
    return super.time(test) ?? (seconds === undefined ? UNKNOWN_MS : seconds * 1000);
  }
};
