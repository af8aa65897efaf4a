// Bundles the element for `<script type="module">`: dist/news-forum.js, which
// re-exports the content-hashed module holding the element with Lit, the SDK
// and its WebSocket-only live client (what a reader who only reads needs; see
// scripts/websocket-only.mjs), and the chunks
// that module loads on first use (the forms, a post with its discussion),
// all minified. Fails when either what a reader downloads or the whole set
// is over budget (min+gzip). A baseline built the same way, a bare Lit
// element that opens a socket (scripts/size-baseline.js), and the baseline
// plus the SDK are printed for comparison.

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { minifyLiterals } from './minify-literals.mjs';
import { websocketOnly } from './websocket-only.mjs';
import { withoutWebTransport } from './without-webtransport.mjs';

/** Budgets in KiB, min+gzip (issue 12): what a reader who only reads downloads, and every file together. */
const READER_BUDGET = 25;
const TOTAL_BUDGET = 33;

const ownModules = fileURLToPath(new URL('../dist/lib/', import.meta.url));

/** The element gets the WebSocket-only client; the baselines keep socket.io-client (without WebTransport). */
const plugins = (element) => [
  element ? websocketOnly() : withoutWebTransport(),
  nodeResolve({ browser: true }),
  minifyLiterals({ include: (id) => id.startsWith(ownModules) }),
  terser({
    module: true,
    ecma: 2020,
    // `unsafe` assumes built-ins are not replaced (e.g. `String(x)` as `"" + x`), as this code and Lit do.
    // `keep_fargs: false` drops unused trailing parameters: nothing bundled reads a function's `length`.
    // Statements are kept apart (`sequences: false`): the whole set gzips smaller than with them joined by commas.
    compress: { passes: 2, unsafe: true, keep_fargs: false, sequences: false },
    format: { comments: false },
  }),
];

function onwarn(warning, warn) {
  // socket.io-client's ESM build has top-level `this` in a helper; rollup rewrites it correctly.
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
  if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'CIRCULAR_DEPENDENCY') process.exitCode = 1;
}

const sizeOf = (code) => {
  const text = code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '');
  return { min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
};
const sum = (sizes) => sizes.reduce((a, b) => ({ min: a.min + b.min, gzip: a.gzip + b.gzip }), { min: 0, gzip: 0 });

/** Builds `input` (into `dir`, if given); returns its chunks. */
async function build(input, dir) {
  const bundle = await rollup({ input, plugins: plugins(Boolean(dir)), onwarn });
  const options = {
    format: 'es',
    dir,
    sourcemap: Boolean(dir),
    hashCharacters: 'hex',
    // The entry keeps its name: pages load it. It re-exports the module with the element, named by
    // its content like the chunks that module loads on first use, which import from it too.
    entryFileNames: '[name].js',
    chunkFileNames: (chunk) => (chunk.isDynamicEntry ? 'news-forum-[name].[hash:12].js' : 'news-forum.[hash:12].js'),
  };
  const { output } = dir ? await bundle.write(options) : await bundle.generate(options);
  await bundle.close();
  return output.filter((file) => file.type === 'chunk');
}

const files = await build({ 'news-forum': 'dist/lib/bundle.js' }, 'dist');
const entry = files.find((file) => file.isEntry);

// What loads with the entry (its static imports, transitively), and what loads on first use.
const byName = new Map(files.map((file) => [file.fileName, file]));
const reader = new Set();
const visit = (file) => {
  if (reader.has(file)) return;
  reader.add(file);
  for (const name of file.imports) visit(byName.get(name));
};
visit(entry);
const later = files.filter((file) => !reader.has(file));

const baseline = sizeOf((await build('scripts/size-baseline.js'))[0].code);
const withSdk = sizeOf((await build('scripts/size-baseline-sdk.js'))[0].code);
const readerSize = sum([...reader].map((file) => sizeOf(file.code)));
const totalSize = sum([readerSize, ...later.map((file) => sizeOf(file.code))]);

const kib = (bytes) => `${(bytes / 1024).toFixed(1).padStart(6)} KiB`;
const row = (name, size) => `${name.padEnd(52)}${kib(size.min)} min ${kib(size.gzip)} min+gzip  ×${(size.gzip / baseline.gzip).toFixed(2)}`;
console.log(row('baseline: Lit element + socket.io-client', baseline));
console.log(row('baseline + @news-forum/sdk (a live list)', withSdk));
console.log(row('news-forum.js and what it imports (a reader)', readerSize));
for (const file of later) console.log(row(`  on first use: ${file.fileName}`, sizeOf(file.code)));
console.log(row('all of it', totalSize));
console.log(`budgets (min+gzip): a reader ${READER_BUDGET} KiB, all of it ${TOTAL_BUDGET} KiB`);
for (const [what, size, budget] of [
  ['what a reader downloads', readerSize, READER_BUDGET],
  ['the whole bundle', totalSize, TOTAL_BUDGET],
]) {
  if (size.gzip > budget * 1024) {
    console.error(`${what} is over its size budget: ${kib(size.gzip).trim()} > ${budget} KiB (min+gzip)`);
    process.exitCode = 1;
  }
}
