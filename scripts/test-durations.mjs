// Writes scripts/test-durations.json from the results of the last run
// (.tmp/jest-results.json, written by `npm test`): how long each test file
// took, for scripts/test-sequencer.cjs to start the longest first. Another
// checkout's results may be named: `node scripts/test-durations.mjs <its .tmp/jest-results.json>`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const file = resolve(process.argv[2] ?? `${root}.tmp/jest-results.json`);
const checkout = dirname(dirname(file));
const results = JSON.parse(readFileSync(file, 'utf8'));
const seconds = Object.fromEntries(
  results.testResults
    // A file with skipped tests says "focused", not "passed": only a failed one's time is not its usual.
    .filter((file) => file.status !== 'failed' && file.endTime > file.startTime)
    .map((file) => [relative(checkout, file.name), Math.round((file.endTime - file.startTime) / 100) / 10])
    .sort(([a], [b]) => (a < b ? -1 : 1)),
);
writeFileSync(`${root}scripts/test-durations.json`, `${JSON.stringify(seconds, null, 2)}\n`);
console.log(`${Object.keys(seconds).length} files written to scripts/test-durations.json`);
