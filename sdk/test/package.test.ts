import { beforeAll, afterAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { hotRank } from '../src/index.js';

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = path.dirname(sdkDir);
const consumerDir = path.join(sdkDir, 'test', 'consumer');
const bin = (name: string) => path.join(rootDir, 'node_modules', '.bin', name);
/** Budget for the SDK with socket.io-client, minified and gzipped, in a browser bundle. */
const BROWSER_BUDGET_BYTES = 20 * 1024;

let work: string;
let app: string;

/** Runs a command, failing with its output when it fails. */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'news-forum-sdk-pack-'));
  // Built into a staging copy rather than sdk/dist, which the server and
  // widget read while this runs.
  const stage = path.join(work, 'stage');
  await mkdir(stage);
  await sh('npm', ['run', 'build', '-w', 'sdk', '--', '--out-dir', path.join(stage, 'dist')], rootDir);
  for (const file of ['package.json', 'README.md']) await copyFile(path.join(sdkDir, file), path.join(stage, file));
  const [packed] = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', work], stage)) as { filename: string; files: { path: string }[] }[];
  expect(packed!.files.map((f) => f.path).sort()).toEqual([
    'README.md', 'dist/index.cjs', 'dist/index.cjs.map', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js', 'dist/index.js.map', 'package.json',
  ]);

  app = path.join(work, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, packed!.filename)], app);
  for (const file of await readdir(consumerDir)) await copyFile(path.join(consumerDir, file), path.join(app, file));
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const expectedRank = hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' });

it('runs as ESM, and recognises errors of the CommonJS copy', async () => {
  const out = JSON.parse(await sh(process.execPath, ['esm.mjs'], app));
  expect(out).toEqual({ rank: expectedRank, data: { name: 'news-forum', version: '1.0.0', instance: 'esm' }, error: null, notFound: 404, crossCopy: true });
});

it('runs as CommonJS, with deep imports closed', async () => {
  const out = JSON.parse(await sh(process.execPath, ['cjs.cjs'], app));
  expect(out).toEqual({ rank: expectedRank, data: { name: 'news-forum', version: '1.0.0', instance: 'cjs' }, error: null, notFound: 404, deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});

it('type-checks correct use and rejects wrong calls (ESM and CJS types)', async () => {
  await writeFile(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], noEmit: true, types: [] },
      files: ['usage.ts', 'usage.cts'],
    }),
  );
  await sh(bin('tsc'), ['-p', '.'], app);
}, 60_000);

it('bundles for browsers within the size budget', async () => {
  await sh(bin('esbuild'), ['browser.ts', '--bundle', '--minify', '--platform=browser', '--format=esm', '--outfile=bundle.js'], app);
  const bundle = await readFile(path.join(app, 'bundle.js'));
  const gzipped = gzipSync(bundle, { level: 9 }).length;
  console.log(`browser bundle: ${bundle.length} B minified, ${gzipped} B min+gzip (budget ${BROWSER_BUDGET_BYTES} B)`);
  expect(bundle.toString()).not.toMatch(/require\(["'](node:|ws|http)/);
  expect(gzipped).toBeLessThan(BROWSER_BUDGET_BYTES);
}, 60_000);
