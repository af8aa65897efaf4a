import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';

const protocolDir = fileURLToPath(new URL('..', import.meta.url));

it('src/generated/openapi.d.ts is what openapi.yaml generates (run `npm run generate -w protocol`)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-openapi-'));
  try {
    const fresh = path.join(dir, 'openapi.d.ts');
    const cli = path.join(protocolDir, '..', 'node_modules', '.bin', 'openapi-typescript');
    await promisify(execFile)(cli, ['../openapi.yaml', '-o', fresh], { cwd: protocolDir });
    expect(await readFile(path.join(protocolDir, 'src', 'generated', 'openapi.d.ts'), 'utf8')).toBe(await readFile(fresh, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
