import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS, migrate } from './sql/migrations.js';
import { openPgliteDriver } from './sql/pglite-driver.js';

// From src/store/ (tests) and dist/store/ (built) alike: the package's dist/.
const TEMPLATE = fileURLToPath(new URL('../../dist/pglite-template', import.meta.url));
const FINGERPRINT = fileURLToPath(new URL('../../dist/pglite-template.json', import.meta.url));

/** What the build writes besides the schema; a template of another layout is made again. 2: modes (see setModes). */
const LAYOUT = 2;

/**
 * Sets the mode of `root` and of everything under it. PGlite writes its files
 * world-writable (0666) and a few owner-only (0600): the template must be
 * readable by whichever account runs a node and writable by none, and a data
 * directory is its node's alone, as PostgreSQL keeps one.
 */
async function setModes(root: string, modes: { file: number; directory: number }): Promise<void> {
  await chmod(root, modes.directory);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    await chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? modes.directory : modes.file);
  }
}

/** The schema a template holds: made by other migrations or another PGlite, it is not used. */
function fingerprint(): string {
  // The package's exports map hides its package.json; find it from the entry point (dist/index.*).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pgliteVersion = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')).version as string;
  // A migration's `before` (JSON leaves functions out) changes data, of which a new database has none.
  const schema = JSON.stringify({ layout: LAYOUT, pgliteVersion, MIGRATIONS });
  return createHash('sha256').update(schema).digest('hex');
}

/** What the build wrote beside the template. */
interface TemplateInfo {
  fingerprint?: string;
  /** Every directory of the template: a package (npm pack) drops the empty ones, which PostgreSQL needs. */
  directories?: string[];
}

async function templateInfo(): Promise<TemplateInfo> {
  try {
    return JSON.parse(await readFile(FINGERPRINT, 'utf8')) as TemplateInfo;
  } catch {
    return {};
  }
}

/**
 * The data directory the build prepared (initialised and migrated) and its
 * directories, or undefined when it made none for these migrations.
 */
export async function embeddedTemplate(): Promise<{ path: string; directories: string[] } | undefined> {
  const info = await templateInfo();
  if (info.fingerprint !== fingerprint()) return undefined;
  try {
    return (await readdir(TEMPLATE)).includes('PG_VERSION') ? { path: TEMPLATE, directories: info.directories ?? [] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fills the empty `directory` with a copy of the template: a file copy,
 * several times faster than PGlite unpacking a tarball through its own file
 * system, and far faster than initdb. Copied aside and renamed into place, so
 * a crash midway leaves an empty directory, never half a database. Returns
 * false (nothing done) when there is no template or `directory` is not empty.
 * The caller holds the data directory's lock.
 */
export async function copyEmbeddedTemplate(directory: string): Promise<boolean> {
  const template = await embeddedTemplate();
  if (!template || (await readdir(directory)).length > 0) return false;
  const aside = `${directory}.copying`;
  await rm(aside, { recursive: true, force: true });
  await cp(template.path, aside, { recursive: true });
  for (const directory of template.directories) await mkdir(path.join(aside, directory), { recursive: true });
  await setModes(aside, { file: 0o600, directory: 0o700 });
  await rmdir(directory);
  await rename(aside, directory);
  return true;
}

/** Build step: writes the template unless the one in dist/ already matches the migrations. */
export async function writeEmbeddedTemplate(): Promise<void> {
  const current = fingerprint();
  if ((await embeddedTemplate()) !== undefined) return;
  const building = `${TEMPLATE}.building`;
  await rm(building, { recursive: true, force: true });
  const driver = await openPgliteDriver(building);
  try {
    await migrate(driver);
  } finally {
    await driver.close();
  }
  await setModes(building, { file: 0o644, directory: 0o755 });
  // Renamed into place: a start reading it meanwhile sees the old one or none.
  await rm(TEMPLATE, { recursive: true, force: true });
  await rename(building, TEMPLATE);
  const entries = await readdir(TEMPLATE, { recursive: true, withFileTypes: true });
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.relative(TEMPLATE, path.join(entry.parentPath, entry.name)));
  await writeFile(FINGERPRINT, JSON.stringify({ fingerprint: current, directories } satisfies TemplateInfo));
  await rm(`${TEMPLATE}.tar.gz`, { force: true });
}
