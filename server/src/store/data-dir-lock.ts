import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** A lock not refreshed for this long belongs to a node that is gone. */
const STALE_MS = 10_000;
const LOCK_OPTIONS = { stale: STALE_MS, realpath: false };

/** Another node holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(directory: string) {
    super(`${directory} is in use by another node (one data directory per node)`);
    this.name = 'DataDirInUseError';
  }
}

interface Owner {
  pid: number;
  host: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function isLocked(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ELOCKED';
}

/**
 * Takes the exclusive lock of an embedded database directory and returns
 * its release. The lock is proper-lockfile's (a directory made atomically,
 * its mtime refreshed while held), which also works on network and shared
 * container volumes where process ids mean nothing. A lock left by a node
 * killed on this machine is taken over at once, its owner's pid being gone;
 * one from elsewhere once it is stale (10 s without a refresh).
 */
export async function lockDataDir(directory: string): Promise<() => Promise<void>> {
  const ownerFile = `${directory}.owner`;
  const options = {
    ...LOCK_OPTIONS,
    // Its refresh failed or another process took it over: say so loudly rather than crash.
    onCompromised: (error: Error) =>
      process.emitWarning(`the lock of ${directory} was lost: another node may write to it (${error.message})`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(directory, options);
  } catch (error) {
    if (!isLocked(error)) throw error;
    const owner = await readOwner(ownerFile);
    const here = owner?.host === hostname();
    if (here && isRunning(owner.pid)) throw new DataDirInUseError(path.dirname(directory));
    // proper-lockfile unlocks only locks this process took: remove the dead owner's lock directory itself.
    if (here) await rm(`${directory}.lock`, { recursive: true, force: true });
    try {
      // From another machine, or no owner recorded: wait until the lock proves stale or is released.
      const retries = here ? 0 : { retries: Math.ceil(STALE_MS / 1000) + 2, factor: 1, minTimeout: 1000, maxTimeout: 1000 };
      release = await lockfile.lock(directory, { ...options, retries });
    } catch (again) {
      if (isLocked(again)) throw new DataDirInUseError(path.dirname(directory));
      throw again;
    }
  }
  await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
  let released: Promise<void> | undefined;
  return () => {
    released ??= rm(ownerFile, { force: true })
      .then(() => release())
      // A lock already lost (its directory removed, or taken over) was reported by onCompromised: nothing is left to release.
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ERELEASED') throw error;
      });
    return released;
  };
}
