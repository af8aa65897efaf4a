import { execFile } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../support/forum.mjs';
import { row } from '../support/report.mjs';

const WIDGET = fileURLToPath(new URL('../../widget/', import.meta.url));

/**
 * Runs the widget's own bundle script (the one `npm run build` runs), which
 * builds the element and the bare baseline with the same rollup and terser
 * settings and prints min and min+gzip sizes; reads the figures from it. It
 * runs in a scratch directory that links the widget's compiled modules and
 * scripts, so that its output does not replace the widget's dist/ under
 * whatever is loading it at the time.
 */
async function sizes() {
  const scratch = await tempDir('size');
  let stdout;
  try {
    await mkdir(path.join(scratch.dir, 'dist'));
    await symlink(path.join(WIDGET, 'dist', 'lib'), path.join(scratch.dir, 'dist', 'lib'));
    await symlink(path.join(WIDGET, 'scripts'), path.join(scratch.dir, 'scripts'));
    // As `npm run build` runs it: a NODE_ENV (jest sets `test`) would pick other builds of dependencies.
    const { NODE_ENV, ...env } = process.env;
    ({ stdout } = await promisify(execFile)(process.execPath, ['scripts/bundle.mjs'], { cwd: scratch.dir, env }));
  } catch (error) {
    // It exits 1 when over its own budget, still printing every size.
    if (!error.stdout) throw error;
    stdout = error.stdout;
  } finally {
    await scratch.remove();
  }
  const found = {};
  for (const line of stdout.split('\n')) {
    const match = /^(.*?)\s+([\d.]+) KiB min\s+([\d.]+) KiB min\+gzip/.exec(line);
    if (match) found[match[1].trim()] = { min: Number(match[2]), gzip: Number(match[3]) };
  }
  const pick = (prefix) => {
    const key = Object.keys(found).find((name) => name.startsWith(prefix));
    if (!key) throw new Error(`widget/scripts/bundle.mjs printed no "${prefix}" size:\n${stdout}`);
    return found[key];
  };
  return { baseline: pick('baseline: Lit element'), reader: pick('news-forum.js and what it imports'), all: pick('all of it') };
}

export default {
  name: 'size',
  describe: [
    'min+gzip (terser, gzip -9) of what a reader downloads (`news-forum.js` and its static imports) and of every file of the bundle, built by `widget/scripts/bundle.mjs`, vs a bare Lit element that opens a socket.io-client connection built by the same rollup/terser settings. Deterministic: built once.',
  ],
  async run() {
    const { baseline, reader, all } = await sizes();
    return [
      row('size', 'widget, what a reader downloads (min+gzip)', 'KiB', {
        baseline: baseline.gzip,
        ours: reader.gzip,
        target: '≤ 25 KiB',
        met: ({ ours }) => ours <= 25,
      }),
      row('size', 'widget, all of it (min+gzip)', 'KiB', {
        baseline: baseline.gzip,
        ours: all.gzip,
        target: '≤ 33 KiB',
        met: ({ ours }) => ours <= 33,
      }),
    ];
  },
};
