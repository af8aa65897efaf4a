import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeployError } from './deploy-error.js';

/** A program the deploy tools run, and the Debian package that installs it. */
export interface Program {
  name: string;
  /** Debian package to `apt-get install`. */
  debian: string;
  /** Where to look besides PATH (e.g. PostgreSQL's versioned directory). */
  find?: () => string | undefined;
}

export const PROGRAMS = {
  nginx: { name: 'nginx', debian: 'nginx' },
  etcd: { name: 'etcd', debian: 'etcd-server' },
  etcdctl: { name: 'etcdctl', debian: 'etcd-client' },
  redis: { name: 'redis-server', debian: 'redis-server' },
  curl: { name: 'curl', debian: 'curl' },
  postgres: { name: 'postgres', debian: 'postgresql', find: () => postgresBin('postgres') },
  initdb: { name: 'initdb', debian: 'postgresql', find: () => postgresBin('initdb') },
  pgBasebackup: { name: 'pg_basebackup', debian: 'postgresql', find: () => postgresBin('pg_basebackup') },
  pgCtl: { name: 'pg_ctl', debian: 'postgresql', find: () => postgresBin('pg_ctl') },
  systemdAnalyze: { name: 'systemd-analyze', debian: 'systemd' },
} satisfies Record<string, Program>;

/** PostgreSQL's server programs live in /usr/lib/postgresql/<version>/bin, off PATH; the newest wins. */
function postgresBin(name: string): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', name)))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version && path.join(root, version, 'bin', name);
}

function onPath(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    const candidate = path.join(dir || '.', name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds every program, or throws one `missing-programs` error whose message
 * is the single `apt-get install -y …` line that installs all that are missing.
 */
export function findPrograms<K extends keyof typeof PROGRAMS>(names: readonly K[]): Record<K, string> {
  const found = {} as Record<K, string>;
  const missing = new Set<string>();
  for (const key of names) {
    const program: Program = PROGRAMS[key];
    const where = program.find?.() ?? onPath(program.name);
    if (where) found[key] = where;
    else missing.add(program.debian);
  }
  if (missing.size > 0) {
    throw new DeployError('missing-programs', `missing programs; install them with: apt-get install -y ${[...missing].join(' ')}`);
  }
  return found;
}
