// Bundles dist/news-forum.js (the element with Lit, the SDK and
// socket.io-client inside, minified) and fails when its min+gzip size is over
// budget. The budget is relative to a baseline built here in the same way:
// a bare Lit element that opens a socket (scripts/size-baseline.js).
// Another build, the baseline plus the SDK, is printed for comparison.

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { minifyLiterals } from './minify-literals.mjs';

/**
 * The widget may weigh at most this many times the baseline (min+gzip); see
 * the README's "Size". The SDK alone takes the baseline to about ×1.3.
 */
const MAX_RATIO = 1.9;

const ownModules = fileURLToPath(new URL('../dist/lib/', import.meta.url));

const plugins = () => [
  nodeResolve({ browser: true }),
  minifyLiterals({ include: (id) => id.startsWith(ownModules) }),
  terser({
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  }),
];

function onwarn(warning, warn) {
  // socket.io-client's ESM build has top-level `this` in a helper; rollup rewrites it correctly.
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
  if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'CIRCULAR_DEPENDENCY') process.exitCode = 1;
}

async function build(input, file) {
  const bundle = await rollup({ input, plugins: plugins(), onwarn });
  const options = { format: 'es', sourcemap: Boolean(file), file };
  const { output } = file ? await bundle.write(options) : await bundle.generate(options);
  await bundle.close();
  const code = output[0].code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '');
  return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1).padStart(6)} KiB`;
const widget = await build('dist/lib/bundle.js', 'dist/news-forum.js');
const baseline = await build('scripts/size-baseline.js');
const withSdk = await build('scripts/size-baseline-sdk.js');
const ratio = widget.gzip / baseline.gzip;
const row = (name, size) => `${name.padEnd(44)}${kib(size.min)} min ${kib(size.gzip)} min+gzip  ×${(size.gzip / baseline.gzip).toFixed(2)}`;
console.log(row('baseline: Lit element + socket.io-client', baseline));
console.log(row('baseline + @news-forum/sdk (a live list)', withSdk));
console.log(row('dist/news-forum.js', widget));
console.log(`budget: ×${MAX_RATIO} the baseline (min+gzip); news-forum.js is ×${ratio.toFixed(3)}`);
if (ratio > MAX_RATIO) {
  console.error(`news-forum.js is over its size budget: ${ratio.toFixed(3)} × the baseline > ${MAX_RATIO}`);
  process.exitCode = 1;
}
