// Bundles the server (tsc's output, from dist/bundle-entry.js) into
// dist/bundle/index.js and the chunks it loads on first use, which dist/index.js and dist/cli.js load when it is
// current (src/load-bundle.ts). What loads WebAssembly or native code, or reads
// files of its own package at run time, stays an import of its package; so do
// the clients a configuration loads only when it uses them (PostgreSQL,
// RethinkDB, Redis, etcd), which stay visible as packages to what traces the
// loading (test/api/start-up.test.ts) and cost nothing to the others.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const EXTERNAL = [
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  'pg-native',
  'swagger-ui-dist',
  '@news-forum/widget',
  '@news-forum/widget/*',
  'pg',
  'rethinkdb',
  'redis',
  '@socket.io/redis-adapter',
  'etcd3',
];

// Express 5's dependencies each carry their own copy of mime-types and its
// 200 KB database (four of each): a bundle needs one, which every importer
// gets. iconv-lite's tables of multi-byte charsets stay out: the server reads
// UTF-8 only (src/http/json-body.ts), and a table that was ever asked for would
// throw rather than decode wrongly.
const fromExpress = createRequire(createRequire(import.meta.url).resolve('express'));
const oneCopyEach = {
  name: 'one-copy-each',
  setup(bundle) {
    bundle.onResolve({ filter: /^mime-(types|db)$/ }, ({ path }) => ({ path: fromExpress.resolve(path) }));
    bundle.onResolve({ filter: /^\.\/tables\/.+\.json$/ }, ({ path, importer }) =>
      importer.includes('/iconv-lite/') ? { path, namespace: 'charset-table' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'charset-table' }, ({ path }) => ({
      contents: `throw new Error(${JSON.stringify(`${path}: this server decodes UTF-8 only`)});`,
      loader: 'js',
    }));
  },
};

// The dependencies' debug() calls are no-ops that allocate nothing unless DEBUG is set (quiet-debug.cjs); the shim
// itself loads the real debug.
const QUIET_DEBUG = fileURLToPath(new URL('./quiet-debug.cjs', import.meta.url));
const quietDebug = {
  name: 'quiet-debug',
  setup(bundle) {
    bundle.onResolve({ filter: /^debug$/ }, ({ importer }) => (importer === QUIET_DEBUG ? undefined : { path: QUIET_DEBUG }));
  },
};

// Chunks are named by their content: those of an earlier build would stay behind.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/bundle-entry.js'],
  entryNames: 'index',
  outdir: 'dist/bundle',
  bundle: true,
  // Modules imported on first use (a store's own code, the YAML parser) stay in chunks of their own.
  splitting: true,
  // Chunks sit beside index.js: modules find the files of dist/ relative to their own URL, as deep as in dist/*/.
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS dependencies call require() for Node's modules; ESM has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [oneCopyEach, quietDebug],
  // Without comments the bundle is a third of the size and ASCII only, which V8 reads and parses faster.
  minifyWhitespace: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
