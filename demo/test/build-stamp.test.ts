import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

// `npm start` runs scripts/build-if-changed.mjs first (its prestart). Here it
// runs in a small workspace of its own whose build counts how often it ran.
const SCRIPT = fileURLToPath(new URL('../../scripts/build-if-changed.mjs', import.meta.url));
const run = promisify(execFile);

let root: string;
const file = (...parts: string[]) => path.join(root, ...parts);

/** Runs the script as `npm start` would (`npm run build`'s postbuild adds --record); resolves with its exit code and output. */
async function buildIfChanged(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args], { cwd: root, env: { PATH: process.env.PATH } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function builds(): Promise<number> {
  return (await readFile(file('builds.log'), 'utf8').catch(() => '')).length;
}

/** Moves a file's mtime forward, as saving it in an editor does. */
async function touch(...parts: string[]): Promise<void> {
  const later = new Date(Date.now() + 60_000);
  await utimes(file(...parts), later, later);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'news-forum-build-stamp-'));
  // The build writes server/dist and a copy outside dist/ (as the server's build copies openapi.yaml), and fails on demand.
  const build = [
    "const fs = require('node:fs');",
    "if (fs.existsSync('server/src/broken.js')) process.exit(3);",
    "fs.appendFileSync('builds.log', 'x');",
    "fs.mkdirSync('server/dist', { recursive: true });",
    "fs.copyFileSync('server/src/index.js', 'server/dist/index.js');",
    "fs.copyFileSync('openapi.yaml', 'server/openapi.yaml');",
  ].join('\n');
  await mkdir(file('server', 'src'), { recursive: true });
  await mkdir(file('server', 'test'), { recursive: true });
  await mkdir(file('node_modules'), { recursive: true });
  await writeFile(
    file('package.json'),
    JSON.stringify({ name: 'fixture', private: true, workspaces: ['server', 'demo'], scripts: { build: 'node build.cjs' } }),
  );
  await writeFile(file('build.cjs'), build);
  await writeFile(file('openapi.yaml'), 'openapi: 3.1.0\n');
  await writeFile(file('server', 'package.json'), JSON.stringify({ name: 'server', scripts: { build: 'true' } }));
  await writeFile(file('server', 'src', 'index.js'), 'export const answer = 42;\n');
  await writeFile(file('server', 'test', 'index.test.js'), '// a test\n');
  await writeFile(file('server', 'README.md'), '# server\n');
  await writeFile(file('node_modules', '.package-lock.json'), '{}\n');
  // A build script of the workspace, and a workspace without a build (as the demo): what it holds is read at run time.
  await mkdir(file('server', 'scripts'), { recursive: true });
  await writeFile(file('server', 'scripts', 'bundle.mjs'), '// bundles\n');
  await mkdir(file('demo', 'src'), { recursive: true });
  await writeFile(file('demo', 'package.json'), JSON.stringify({ name: 'demo', scripts: { start: 'node start.js' } }));
  await writeFile(file('demo', 'src', 'site.js'), 'export {};\n');
  await writeFile(file('package-lock.json'), '{}\n');
  await writeFile(file('tsconfig.base.json'), '{}\n');
  await writeFile(file('server', 'tsconfig.json'), '{}\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('scripts/build-if-changed.mjs', () => {
  test('builds the first time, when nothing was built yet', async () => {
    const { code, output } = await buildIfChanged();
    expect(code).toBe(0);
    expect(output).toMatch(/server not built yet/);
    expect(await builds()).toBe(1);
  });

  test('does not build again when no source changed', async () => {
    const { code, output } = await buildIfChanged();
    expect(code).toBe(0);
    expect(output).toMatch(/up to date/);
    expect(await builds()).toBe(1);
  });

  test('builds when a source is touched, then not again', async () => {
    await touch('server', 'src', 'index.js');
    expect((await buildIfChanged()).output).toMatch(/sources changed/);
    expect(await builds()).toBe(2);
    await buildIfChanged();
    expect(await builds()).toBe(2);
  });

  test('builds when a source is edited, added or removed', async () => {
    await appendFile(file('openapi.yaml'), 'info: {}\n');
    await buildIfChanged();
    expect(await builds()).toBe(3);
    await writeFile(file('server', 'src', 'more.js'), 'export const more = 1;\n');
    await buildIfChanged();
    expect(await builds()).toBe(4);
    await rm(file('server', 'src', 'more.js'));
    await buildIfChanged();
    expect(await builds()).toBe(5);
  });

  test('ignores tests and Markdown, which the build does not read', async () => {
    await appendFile(file('server', 'test', 'index.test.js'), '// another\n');
    await appendFile(file('server', 'README.md'), 'More.\n');
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(5);
  });

  test('builds after an install and when a dist/ went missing', async () => {
    await writeFile(file('node_modules', '.package-lock.json'), '{"packages":{}}\n');
    await buildIfChanged();
    expect(await builds()).toBe(6);
    await rm(file('server', 'dist'), { recursive: true });
    await buildIfChanged();
    expect(await builds()).toBe(7);
  });

  test('a failed build fails the start and is tried again next time', async () => {
    // A source that does not build.
    await writeFile(file('server', 'src', 'broken.js'), 'export const = ;\n');
    expect((await buildIfChanged()).code).toBe(3);
    // Nothing changed since, but no build succeeded: it runs again.
    const again = await buildIfChanged();
    expect(again.code).toBe(3);
    expect(again.output).toMatch(/sources changed/);
    expect(await builds()).toBe(7);
    // Back to the sources of the last good build: its outputs stand.
    await rm(file('server', 'src', 'broken.js'));
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(7);
  });

  test('after a build by hand (--record, its postbuild) the next start builds nothing', async () => {
    await touch('server', 'src', 'index.js');
    // What `npm run build` runs after a successful build; it builds nothing itself.
    expect(await buildIfChanged('--record')).toEqual({ code: 0, output: '' });
    expect(await builds()).toBe(7);
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(7);
    // Without a record, the same touch makes the start build.
    await touch('server', 'src', 'index.js');
    expect((await buildIfChanged()).output).toMatch(/sources changed/);
    expect(await builds()).toBe(8);
  });

  test('ignores logs and backups kept in the checkout, at the root or in a workspace', async () => {
    const before = await builds();
    // `npm start >> forum.log`, and `news-forum-server backup forum-2026-12-02.ndjson` run in the checkout.
    await writeFile(file('forum.log'), '{"msg":"listening"}\n');
    await writeFile(file('forum-2026-12-02.ndjson'), '{"format":"news-forum-backup"}\n');
    await writeFile(file('server', 'node.log'), '{"msg":"listening"}\n');
    await writeFile(file('server', 'backup.ndjson'), '{"format":"news-forum-backup"}\n');
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(before);
    // A log that grows between two starts.
    await appendFile(file('forum.log'), '{"msg":"one more line"}\n');
    await appendFile(file('server', 'node.log'), '{"msg":"one more line"}\n');
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(before);
  });

  test('ignores the sources of a workspace without a build, which it reads at run time', async () => {
    const before = await builds();
    await appendFile(file('demo', 'src', 'site.js'), '// more\n');
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(before);
  });

  test("builds when a workspace's source, build script, package.json or tsconfig, openapi.yaml or the lockfile changes", async () => {
    const changes: [string[], string][] = [
      [['server', 'src', 'index.js'], '// edited\n'],
      [['server', 'scripts', 'bundle.mjs'], '// edited\n'],
      [['openapi.yaml'], 'paths: {}\n'],
      [['server', 'package.json'], '\n'],
      [['demo', 'package.json'], '\n'],
      [['package.json'], '\n'],
      [['package-lock.json'], '\n'],
      [['tsconfig.base.json'], '\n'],
      [['server', 'tsconfig.json'], '\n'],
    ];
    let expected = await builds();
    for (const [parts, more] of changes) {
      await appendFile(file(...parts), more);
      expect((await buildIfChanged()).output).toMatch(/sources changed/);
      expect(await builds()).toBe(++expected);
    }
    expect((await buildIfChanged()).output).toMatch(/up to date/);
    expect(await builds()).toBe(expected);
  });
});
