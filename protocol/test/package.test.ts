import { expect, it } from '@jest/globals';
import { sh, useInstalledPackage } from '../../scripts/testing/install-alone.js';
import { hotRank } from '../src/index.js';

const installed = useInstalledPackage('protocol', new URL('consumer', import.meta.url));

const rank = hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' });

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

it('runs as ESM', async () => {
  const out = JSON.parse(await sh(process.execPath, ['esm.mjs'], installed().app));
  expect(out).toEqual({ rank, sorts: ['hot', 'new', 'top'], defaultSort: 'hot', top: ['b', 'a'], rooms: ['posts', 'comments:x'] });
});

it('runs as CommonJS, with deep imports closed', async () => {
  const out = JSON.parse(await sh(process.execPath, ['cjs.cjs'], installed().app));
  expect(out).toEqual({ rank, sorts: ['hot', 'new', 'top'], room: 'comments:x', deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});

it('type-checks correct use and rejects wrong values (ESM and CJS types) under tsc --strict', async () => {
  await installed().typeCheck(['usage.ts', 'usage.cts']);
}, 60_000);

it('passes attw and publint', async () => {
  await installed().lint();
}, 120_000);
