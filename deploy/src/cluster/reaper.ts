import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/**
 * The reaper's program: it holds the process groups it is told of (`+pid`,
 * `-pid` lines) and, once its input ends (this process is gone, however it
 * went, `kill -9` included), stops what is left of them: SIGTERM, then
 * SIGKILL for a group still there 15 s later.
 */
const REAPER = `
const groups = new Set();
let rest = '';
const alive = (pid) => { try { process.kill(-pid, 0); return true; } catch { return false; } };
const signal = (pid, name) => { try { process.kill(-pid, name); } catch {} };
for (const name of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(name, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\\n');
  rest = lines.pop();
  for (const line of lines) (line[0] === '+' ? groups.add(Number(line.slice(1))) : groups.delete(Number(line.slice(1))));
});
process.stdin.on('end', () => {
  for (const pid of groups) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 15000;
  setInterval(() => {
    const left = [...groups].filter(alive);
    if (left.length > 0 && Date.now() < deadline) return;
    for (const pid of left) signal(pid, 'SIGKILL');
    process.exit(0);
  }, 200);
});
`;

let input: Writable | undefined;

function tell(line: string): void {
  if (!input) {
    // Its own session: neither a terminal's Ctrl-C nor its hang-up reaches it before this process has stopped
    // what it runs; and it keeps nothing of this process alive.
    const reaper = spawn(process.execPath, ['-e', REAPER], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    reaper.on('error', () => undefined);
    reaper.stdin.on('error', () => undefined);
    reaper.unref();
    (reaper.stdin as Writable & { unref(): void }).unref();
    input = reaper.stdin;
  }
  input.write(`${line}\n`);
}

/**
 * Has the process group `pid` leads stopped if this process ends without
 * stopping it: an exit (a test runner's), a crash, `kill -9`, a closed
 * terminal; `process.on('exit')` would run in the first alone.
 */
export function reapIfOrphaned(pid: number): void {
  tell(`+${pid}`);
}

/** The group `pid` led has ended: nothing to reap (its number may be another's later). */
export function forget(pid: number): void {
  tell(`-${pid}`);
}
