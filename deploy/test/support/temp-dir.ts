import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A temporary directory others may enter (nginx workers and PostgreSQL run
 * as other users under root), in RAM where there is some.
 */
export async function tempDir(prefix: string): Promise<string> {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    // no RAM disk
  }
  const dir = await mkdtemp(path.join(base, `news-forum-${prefix}-`));
  await chmod(dir, 0o755);
  return dir;
}

export function removeDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();
}
