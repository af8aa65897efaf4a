import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from '@jest/globals';
import { bin, sh, useInstalledPackage } from '../../scripts/testing/install-alone.js';
import { hotRank } from '../src/index.js';

/**
 * Budget for the SDK with socket.io-client, minified and gzipped, in a browser bundle. 20 KiB until a
 * baseUrl that is not a URL became an error of the SDK's own and hidden-then-restored posts were followed
 * (20,556 B with them).
 */
const BROWSER_BUDGET_BYTES = 20.5 * 1024;

const installed = useInstalledPackage('sdk', new URL('consumer', import.meta.url));

const expectedRank = hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' });

it('ships its builds, types, README and LICENSE, and nothing else', () => {
  expect(installed().files).toEqual([
    'LICENSE',
    'README.md',
    'dist/index.cjs',
    'dist/index.cjs.map',
    'dist/index.d.cts',
    'dist/index.d.ts',
    'dist/index.js',
    'dist/index.js.map',
    'package.json',
  ]);
});

it('runs as ESM, and recognises errors of the CommonJS copy', async () => {
  const out = JSON.parse(await sh(process.execPath, ['esm.mjs'], installed().app));
  expect(out).toEqual({
    rank: expectedRank,
    data: { name: 'news-forum', version: '1.0.0', instance: 'esm' },
    error: null,
    notFound: 404,
    crossCopy: true,
  });
});

it('runs as CommonJS, with deep imports closed', async () => {
  const out = JSON.parse(await sh(process.execPath, ['cjs.cjs'], installed().app));
  expect(out).toEqual({
    rank: expectedRank,
    data: { name: 'news-forum', version: '1.0.0', instance: 'cjs' },
    error: null,
    notFound: 404,
    deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });
});

it('type-checks correct use and rejects wrong calls (ESM and CJS types) under tsc --strict', async () => {
  await installed().typeCheck(['usage.ts', 'usage.cts']);
}, 60_000);

it('passes attw and publint', async () => {
  await installed().lint();
}, 120_000);

it('bundles for browsers within the size budget', async () => {
  await sh(
    bin('esbuild'),
    ['browser.ts', '--bundle', '--minify', '--platform=browser', '--format=esm', '--outfile=bundle.js'],
    installed().app,
  );
  const bundle = await readFile(path.join(installed().app, 'bundle.js'));
  const gzipped = gzipSync(bundle, { level: 9 }).length;
  console.log(`browser bundle: ${bundle.length} B minified, ${gzipped} B min+gzip (budget ${BROWSER_BUDGET_BYTES} B)`);
  expect(bundle.toString()).not.toMatch(/require\(["'](node:|ws|http)/);
  expect(gzipped).toBeLessThan(BROWSER_BUDGET_BYTES);
}, 60_000);
