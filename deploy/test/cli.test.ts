import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../src/wait.js';
import { removeDir, tempDir } from './support/temp-dir.js';

const CLI = fileURLToPath(new URL('../dist/cluster/cli.js', import.meta.url));

/** Every process now running, with its parent and its process group (from /proc). */
function processes(): { pid: number; ppid: number; pgrp: number }[] {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // After the command's closing parenthesis: state, ppid, pgrp.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') found.push({ pid: Number(entry), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

test('npm run cluster says where everything is once ready; a closed terminal (SIGHUP) stops every program it started, and it exits 0', async () => {
  const dir = path.join(await tempDir('cli'), 'cluster');
  const cli = spawn(process.execPath, [CLI, '--dir', dir, '--nodes', '1', '--replica', 'none', '--ttl', '5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  cli.stdout.on('data', (chunk) => (out += chunk));
  cli.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  try {
    await waitFor(() => out.includes('news-forum cluster ready') || cli.exitCode !== null, 'the cluster ready', 150_000);
    expect(err).toBe('');
    expect(out).toMatch(/^ {2}public API +http:\/\/api\.localhost:\d+\/api$/m);
    expect(out).toMatch(/^ {2}node-1 +http:\/\/127\.0\.0\.1:\d+ {2}\(pid \d+\)$/m);
    // No replica, no word of replication.
    expect(out).not.toContain('replication');
    expect(out).toContain('Ctrl-C stops everything.');
    // Each program leads a process group of its own (as does the reaper): those groups are what must end.
    const groups = new Set(processes().flatMap((p) => (p.ppid === cli.pid ? [p.pgrp] : [])));
    expect(groups.size).toBeGreaterThanOrEqual(8);
    cli.kill('SIGHUP');
    expect(await exited).toBe(0);
    expect(out).toContain('stopping the cluster…');
    await waitFor(() => !processes().some((p) => groups.has(p.pgrp)), 'every program gone', 20_000);
  } finally {
    if (cli.exitCode === null) cli.kill('SIGKILL');
    await removeDir(path.dirname(dir));
  }
}, 200_000);
