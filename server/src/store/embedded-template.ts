import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS, migrate } from './sql/migrations.js';
import { openPgliteDriver } from './sql/pglite-driver.js';

// From src/store/ (tests) and dist/store/ (built) alike: the package's dist/.
const TEMPLATE = fileURLToPath(new URL('../../dist/pglite-template.tar.gz', import.meta.url));
const FINGERPRINT = fileURLToPath(new URL('../../dist/pglite-template.json', import.meta.url));

/** The schema a template holds: made by other migrations or another PGlite, it is not used. */
function fingerprint(): string {
  // The package's exports map hides its package.json; find it from the entry point (dist/index.*).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pgliteVersion = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')).version as string;
  // A migration's `before` (JSON leaves functions out) changes data, of which a new database has none.
  const schema = JSON.stringify({ pgliteVersion, MIGRATIONS });
  return createHash('sha256').update(schema).digest('hex');
}

async function storedFingerprint(): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(FINGERPRINT, 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

/**
 * The prepared data directory (initialised and migrated) as a tarball for
 * PGlite's `loadDataDir`, or undefined when the build made none for these
 * migrations: an empty DATA_DIR then starts from it instead of running initdb.
 */
export async function readEmbeddedTemplate(): Promise<Blob | undefined> {
  if ((await storedFingerprint()) !== fingerprint()) return undefined;
  try {
    return new Blob([await readFile(TEMPLATE)]);
  } catch {
    return undefined;
  }
}

/** Build step: writes the template unless the one in dist/ already matches the migrations. */
export async function writeEmbeddedTemplate(): Promise<void> {
  const current = fingerprint();
  if ((await storedFingerprint()) === current) return;
  const driver = await openPgliteDriver('memory://');
  try {
    await migrate(driver);
    const tarball = Buffer.from(await (await driver.dump()).arrayBuffer());
    // Written aside and renamed: a start reading it meanwhile sees the old one or none.
    await writeFile(`${TEMPLATE}.tmp`, tarball);
    await rename(`${TEMPLATE}.tmp`, TEMPLATE);
    await writeFile(FINGERPRINT, JSON.stringify({ fingerprint: current }));
  } finally {
    await driver.close();
  }
}
