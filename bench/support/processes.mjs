import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/** The servers run on core 0 and the load on core 1, when taskset exists and there are two cores. */
export const pinning = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return Number(execFileSync('nproc').toString()) >= 2;
  } catch {
    return false;
  }
})();

/** Moves this process (the load: clients, autocannon) to core 1. */
export function pinLoad() {
  if (pinning) execFileSync('taskset', ['-acp', '1', String(process.pid)], { stdio: 'ignore' });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Never leave a server behind when the bench dies: one listener for them all.
const running = new Set();
process.once('exit', () => {
  for (const kill of running) kill();
});

/**
 * Starts a server program on core 0 (stdout kept, the tail of stderr kept for
 * errors). `prefix` runs it through another program first (setpriv). `group`:
 * it leads a process group of its own, and signals go to the whole group, as
 * a terminal's Ctrl-C does (npm does not hand them on to the script it runs).
 */
export function spawnServer(name, command, args, { env = process.env, cwd, prefix = [], group = false } = {}) {
  const argv = [...prefix, command, ...args];
  const [program, ...rest] = pinning ? ['taskset', '-c', '0', ...argv] : argv;
  const child = spawn(program, rest, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const signal = (name) => {
    if (!group) child.kill(name);
    else if (groupAlive(child.pid)) process.kill(-child.pid, name);
  };
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
  });
  let output = '';
  child.stderr.on('data', (chunk) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = () => signal('SIGKILL');
  running.add(kill);
  // A group may outlive its leader: it is forgotten once stop() saw it gone.
  if (!group) child.once('exit', () => running.delete(kill));
  return {
    child,
    name,
    /** Its stderr so far, for errors. */
    output: () => output,
    stdout: () => stdout,
    /** Resolves with its exit code. */
    exited,
    async stop(stopSignal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) signal(stopSignal);
      await exited;
      // The rest of the group (the script npm ran) may still be closing.
      while (group && groupAlive(child.pid)) await sleep(10);
      running.delete(kill);
    },
  };
}

/** Whether a process of the group `pgid` is still alive. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `ready` every `everyMs` until it is true; fails when `server` exits first or after `timeoutMs`. */
export async function until(server, ready, { everyMs = 10, timeoutMs = 60_000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited with ${server.child.exitCode}: ${server.output()}`);
    if (await ready().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`${server.name} not ready within ${timeoutMs} ms: ${server.output()}`);
    await sleep(everyMs);
  }
}

/** Whether `url` answers 200. */
export async function answers200(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** CPU time (user + system) a process has used, in milliseconds (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: count the fields after it (utime and stime are the 14th and 15th).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
