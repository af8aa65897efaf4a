import { readFile, readlink, rm, writeFile } from 'node:fs/promises';
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

/**
 * The process holding a data directory, as `<directory>.owner` records it.
 * A pid names a process only while it runs, so on Linux the process's start
 * time is recorded with it (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot): a reused pid has another start time, and the boot id makes
 * that time unique on the machine. The host name, boot id and pid namespace
 * say whether the pid can be looked up from here at all: an owner on another
 * machine (a shared volume), from an earlier boot or in another container's
 * pid namespace cannot be checked, and its lock is taken over only once stale.
 * Where /proc is missing, the optional fields are too and a running pid counts
 * as the owner.
 */
interface Owner {
  pid: number;
  host: string;
  boot?: string;
  pidNamespace?: string;
  startTime?: string;
}

async function readIfPresent(read: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return (await read())?.trim();
  } catch {
    return undefined;
  }
}

/** State and start time from /proc/<pid>/stat; the command name before them may hold spaces and parentheses. */
async function readStat(pid: number | 'self'): Promise<{ state?: string; startTime?: string }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

let self: Promise<Owner> | undefined;
function thisProcess(): Promise<Owner> {
  self ??= (async () => {
    const [boot, pidNamespace, startTime] = await Promise.all([
      readIfPresent(() => readFile('/proc/sys/kernel/random/boot_id', 'utf8')),
      readIfPresent(() => readlink('/proc/self/ns/pid')),
      readIfPresent(async () => (await readStat('self')).startTime),
    ]);
    return { pid: process.pid, host: hostname(), boot, pidNamespace, startTime };
  })();
  return self;
}

/** `running` or `gone` when the owner can be checked from this process, `unknown` when it cannot. */
async function ownerState(owner: Owner | undefined, me: Owner): Promise<'running' | 'gone' | 'unknown'> {
  if (!owner || owner.host !== me.host || owner.boot !== me.boot || owner.pidNamespace !== me.pidNamespace) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  if (owner.startTime === undefined) return 'running';
  try {
    const { state, startTime } = await readStat(owner.pid);
    // A zombie has exited: only its parent has not collected it yet.
    return startTime === owner.startTime && state !== 'Z' && state !== 'X' ? 'running' : 'gone';
  } catch (error) {
    // Unreadable (/proc mounted with hidepid): the pid runs, so count it as the owner.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'running';
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
 * Another node may be writing to the directory now: anything this process
 * writes from here on can overwrite its data or be lost. A graceful stop
 * would still write (PGlite checkpoints when it closes), so the process ends
 * at once, with the line start-up prints when it finds the directory in use;
 * its supervisor restarts it, and the restarted node finds the real owner.
 */
function stopProcess(directory: string, error: Error): never {
  process.stderr.write(
    `news-forum: DATA_DIR: the lock of ${directory} was lost (${error.message}): another node may write to it, stopping now\n`,
  );
  process.exit(1);
}

/**
 * Takes the exclusive lock of an embedded database directory and returns
 * its release. The lock is proper-lockfile's (a directory made atomically,
 * its mtime refreshed while held), which also works on network and shared
 * container volumes where process ids mean nothing. An owner this machine
 * can check keeps its directory while it runs, however long it has not
 * refreshed the lock (stopped with SIGSTOP, a long GC pause, a suspended VM);
 * a lock left by one that is gone is taken over at once. A lock from another
 * machine is taken over once stale (10 s without a refresh).
 *
 * When the lock is lost while held (its directory removed, or taken over),
 * `onLost` is called; by default the process stops at once with exit code 1.
 */
export async function lockDataDir(
  directory: string,
  onLost: (error: Error) => void = (error) => stopProcess(directory, error),
): Promise<() => Promise<void>> {
  const ownerFile = `${directory}.owner`;
  const options = { ...LOCK_OPTIONS, onCompromised: onLost };
  const me = await thisProcess();
  // proper-lockfile takes over any lock whose mtime is stale, which an owner that was merely frozen leaves too.
  if ((await ownerState(await readOwner(ownerFile), me)) === 'running') throw new DataDirInUseError(path.dirname(directory));
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(directory, options);
  } catch (error) {
    if (!isLocked(error)) throw error;
    const owner = await ownerState(await readOwner(ownerFile), me);
    if (owner === 'running') throw new DataDirInUseError(path.dirname(directory));
    // proper-lockfile unlocks only locks this process took: remove the dead owner's lock directory itself.
    if (owner === 'gone') await rm(`${directory}.lock`, { recursive: true, force: true });
    try {
      // An owner this machine cannot check, or none recorded: wait until the lock proves stale or is released.
      const retries = owner === 'gone' ? 0 : { retries: Math.ceil(STALE_MS / 1000) + 2, factor: 1, minTimeout: 1000, maxTimeout: 1000 };
      release = await lockfile.lock(directory, { ...options, retries });
    } catch (again) {
      if (isLocked(again)) throw new DataDirInUseError(path.dirname(directory));
      throw again;
    }
  }
  await writeFile(ownerFile, JSON.stringify(me));
  let released: Promise<void> | undefined;
  return () => {
    released ??= rm(ownerFile, { force: true })
      .then(() => release())
      // A lock already lost (its directory removed, or taken over) was reported to onLost: nothing is left to release.
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ERELEASED') throw error;
      });
    return released;
  };
}
