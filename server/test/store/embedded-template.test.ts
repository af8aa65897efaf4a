import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded.js';
import { copyEmbeddedTemplate, embeddedTemplate } from '../../src/store/embedded-template.js';
import { MIGRATIONS } from '../../src/store/sql/migrations.js';
import { openPgliteDriver } from '../../src/store/sql/pglite-driver.js';

const dirs: string[] = [];
async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-template-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The cluster's identifier, which initdb draws at random: two directories share it only when copied from one. */
async function systemIdentifier(dataDir: string): Promise<string> {
  const driver = await openPgliteDriver(path.join(dataDir, 'pglite'));
  try {
    const [row] = await driver.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return row!.id;
  } finally {
    await driver.close();
  }
}

/** The permission bits of `root` and of everything under it: which, by kind. */
async function modesUnder(root: string): Promise<{ files: Set<string>; directories: Set<string> }> {
  const files = new Set<string>();
  const directories = new Set<string>([((await stat(root)).mode & 0o777).toString(8)]);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const mode = ((await stat(path.join(entry.parentPath, entry.name))).mode & 0o777).toString(8);
    (entry.isDirectory() ? directories : files).add(mode);
  }
  return { files, directories };
}

test("the template is readable by whichever account runs a node and writable by none; a copy is its node's alone", async () => {
  const template = await embeddedTemplate();
  expect(await modesUnder(template!.path)).toEqual({ files: new Set(['644']), directories: new Set(['755']) });
  const dir = await emptyDir();
  expect(await copyEmbeddedTemplate(dir)).toBe(true);
  expect(await modesUnder(dir)).toEqual({ files: new Set(['600']), directories: new Set(['700']) });
});

test('the build prepared a template for these migrations', async () => {
  const template = await embeddedTemplate();
  expect(template).toBeDefined();
  expect(existsSync(path.join(template!.path, 'PG_VERSION'))).toBe(true);
  // Empty ones too, which a packed package leaves out and the copy makes again.
  expect(template!.directories).toEqual(expect.arrayContaining(['base', 'pg_notify', 'pg_tblspc', path.join('pg_wal', 'archive_status')]));
});

test('the template goes only into an empty directory, through a copy aside that a crash may have left', async () => {
  const dir = await emptyDir();
  const target = path.join(dir, 'pglite');
  await mkdir(target);
  await writeFile(path.join(target, 'not-ours'), 'keep');
  expect(await copyEmbeddedTemplate(target)).toBe(false);
  expect(await readdir(target)).toEqual(['not-ours']);

  await rm(target, { recursive: true });
  await mkdir(target);
  await mkdir(`${target}.copying`);
  await writeFile(path.join(`${target}.copying`, 'half'), 'of a copy');
  expect(await copyEmbeddedTemplate(target)).toBe(true);
  expect(await readdir(target)).toEqual(expect.arrayContaining(['PG_VERSION', 'base', 'global', 'pg_notify', 'pg_tblspc']));
  expect(existsSync(path.join(target, 'half'))).toBe(false);
  expect(existsSync(`${target}.copying`)).toBe(false);
});

test('an empty data directory starts from the template, migrated, and keeps what is written to it', async () => {
  const [first, second] = [await emptyDir(), await emptyDir()];
  const store = await openEmbeddedStore(first);
  await store.createUser({ login: 'ana', displayName: 'Ana', scopes: [], passwordHash: 'x' });
  await store.close();
  await (await openEmbeddedStore(second)).close();
  expect(existsSync(path.join(first, 'pglite', 'PG_VERSION'))).toBe(true);
  expect(await systemIdentifier(first)).toBe(await systemIdentifier(second));

  const reopened = await openEmbeddedStore(first);
  try {
    expect((await reopened.getUser('ana'))?.displayName).toBe('Ana');
  } finally {
    await reopened.close();
  }
  const driver = await openPgliteDriver(path.join(first, 'pglite'));
  try {
    const versions = (await driver.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map(
      (row) => row.version,
    );
    expect(versions).toEqual(MIGRATIONS.map((migration) => migration.version));
  } finally {
    await driver.close();
  }
}, 120_000);
