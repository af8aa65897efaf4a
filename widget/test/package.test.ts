import { expect, it } from '@jest/globals';
import { sh, useInstalledPackage } from '../../scripts/testing/install-alone.js';

const installed = useInstalledPackage('widget', new URL('consumer', import.meta.url));

it('ships the element, its types, the bundle with the modules it loads and their source maps, the manifest, README and LICENSE', () => {
  expect(installed().files).toEqual(
    expect.arrayContaining([
      'LICENSE',
      'README.md',
      'package.json',
      'dist/custom-elements.json',
      'dist/news-forum.js',
      'dist/news-forum.js.map',
      expect.stringMatching(/^dist\/news-forum\.[0-9a-f]{12}\.js$/),
      expect.stringMatching(/^dist\/news-forum\.[0-9a-f]{12}\.js\.map$/),
      expect.stringMatching(/^dist\/news-forum-parts\.[0-9a-f]{12}\.js$/),
      expect.stringMatching(/^dist\/news-forum-parts\.[0-9a-f]{12}\.js\.map$/),
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/lib/bundle.d.ts',
      'dist/lib/news-forum/define.js',
    ]),
  );
  expect(installed().files.filter((file) => /tsbuildinfo|^test\//.test(file))).toEqual([]);
});

it('imports as ESM and defines <news-forum>', async () => {
  const out = JSON.parse(await sh(process.execPath, ['esm.mjs'], installed().app));
  expect(out).toEqual({ exports: ['NewsForum'], defined: true });
});

it('type-checks the element, its events and the bundle entry under tsc --strict', async () => {
  await installed().typeCheck(['usage.ts'], { lib: ['ES2023', 'DOM', 'DOM.Iterable'] });
}, 60_000);

it('passes attw (ESM only) and publint', async () => {
  await installed().lint({ attwProfile: 'esm-only' });
}, 120_000);
