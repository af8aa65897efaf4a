import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveJwtKeys } from '../../src/auth/jwt-keys.js';
import { ConfigError } from '../../src/config/config-error.js';

// A node without JWT_SECRET signs with a secret it writes to DATA_DIR/jwt-secret once and reads at each start.
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-secret-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

test('is made once, owner-only, and read back the same', async () => {
  const first = await resolveJwtKeys({ kind: 'generated' }, dataDir);
  const file = path.join(dataDir, 'jwt-secret');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')).toHaveLength(48);
  const again = await resolveJwtKeys({ kind: 'generated' }, dataDir);
  expect(again.signing.kid).toBe(first.signing.kid);
});

test('an emptied or cut-short file stops the start, naming it, instead of signing with what is left', async () => {
  const file = path.join(dataDir, 'jwt-secret');
  for (const content of ['', '\n', Buffer.alloc(31, 7).toString('base64url')]) {
    await writeFile(file, content);
    const refused = await resolveJwtKeys({ kind: 'generated' }, dataDir).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/^DATA_DIR: .*jwt-secret holds \d+ bytes of secret, fewer than 32: remove it/);
  }
});
