import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DOCKERFILE, readImageCommand } from '../src/cluster/dockerfile.js';
import { RESTART_SEC } from '../src/cluster/restarts.js';
import { serves } from '../src/health/serving.js';
import { findPrograms } from '../src/programs.js';
import { removeDir, tempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.resolve(DEPLOY, '..');
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');
const FLEET = readdirSync(path.join(DEPLOY, 'fleet')).filter((name) => name.endsWith('.service'));
const units = Object.fromEntries(FLEET.map((name) => [name, read(`fleet/${name}`)]));
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      command?: unknown;
      entrypoint?: string[];
      ports?: string[];
      environment?: Record<string, string>;
      post_start?: { command: string[] }[];
      pre_stop?: { command: string[] }[];
    }
  >;
};
const readme = read('README.md');
/** The example of each file the units read or pass from /etc/news-forum/: its name (`forum.env`) and text. */
const ENV_FILES = Object.fromEntries(
  readdirSync(path.join(DEPLOY, 'fleet/env'))
    .filter((name) => name.endsWith('.env.example'))
    .map((name) => [name.replace(/\.example$/, ''), read(`fleet/env/${name}`)]),
);
/** The variables an env file sets, with their values. */
const settings = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
/** Every example's settings together. */
const examples: Record<string, string> = Object.assign({}, ...Object.values(ENV_FILES).map(settings));
const dockerfile = readFileSync(DOCKERFILE, 'utf8');

/** Words in backticks of the README: what it names. */
const named = new Set([...readme.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.split(/[\s,]+/)));

test('every fleet unit passes systemd-analyze verify', async () => {
  const dir = await tempDir('units');
  try {
    for (const name of FLEET) await copyFile(path.join(DEPLOY, 'fleet', name), path.join(dir, name));
    // The engine's own unit, which every host these units are for has.
    await writeFile(path.join(dir, 'docker.service'), '[Unit]\nDescription=Docker\n\n[Service]\nExecStart=/usr/bin/env dockerd\n');
    const instances: string[] = [];
    for (const name of FLEET) {
      if (!name.endsWith('@.service')) continue;
      const instance = name.replace('@.service', '@1.service');
      await symlink(path.join(dir, name), path.join(dir, instance));
      instances.push(instance);
    }
    const verify = [...FLEET.filter((name) => !name.endsWith('@.service')), ...instances].map((name) => path.join(dir, name));
    const { systemdAnalyze } = findPrograms(['systemdAnalyze']);
    const result = await run(systemdAnalyze, ['verify', ...verify], { cwd: dir }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result).toEqual({ code: 0, stderr: '' });
  } finally {
    await removeDir(dir);
  }
});

test('the sidekick unit binds to its node and is scheduled on its machine, as Listing 6', () => {
  const unit = units['news-forum-discovery@.service']!;
  expect(unit).toMatch(/^BindsTo=news-forum@%i\.service$/m);
  expect(unit).toMatch(/^After=news-forum@%i\.service$/m);
  expect(unit).toMatch(/^\[X-Fleet\]\nMachineOf=news-forum@%i\.service$/m);
  expect(units['news-forum@.service']).toMatch(/^Conflicts=news-forum@\*\.service$/m);
});

test('every unit that restarts waits a few seconds first, and the proxy never gives up', () => {
  // Without RestartSec a unit restarts after 100 ms, and 5 starts in 10 s leave it failed for good.
  for (const [name, text] of Object.entries(units)) {
    if (!/^Restart=/m.test(text)) continue;
    const seconds = Number(/^RestartSec=(\d+)s?$/m.exec(text)?.[1] ?? 0);
    expect({ name, restartSecAtLeast2: seconds >= 2 }).toEqual({ name, restartSecAtLeast2: true });
  }
  // The proxy exits until the public etcd has its users (news-forum-etcd-users.sh public): it must keep trying.
  const proxy = units['news-forum-proxy.service']!;
  expect(proxy).toMatch(/^Restart=always$/m);
  expect(proxy.slice(proxy.indexOf('[Unit]'), proxy.indexOf('[Service]'))).toMatch(/^StartLimitIntervalSec=0$/m);
});

test('npm run cluster restarts each program after the RestartSec of the unit that runs it', () => {
  const mirrored = Object.entries(RESTART_SEC).flatMap(([kind, { seconds, unit }]) => (unit ? [{ kind, unit, seconds }] : []));
  expect(mirrored.map(({ kind, unit }) => ({ kind, unit, seconds: Number(/^RestartSec=(\d+)s?$/m.exec(units[unit] ?? '')?.[1]) }))).toEqual(
    mirrored,
  );
});

test('the replica: a unit and a compose service named in the README, made by pg_basebackup -R, synchronous only while it runs', () => {
  expect(named).toContain('news-forum-postgres-replica.service');
  expect(named).toContain('postgres-replica');
  const primary = units['news-forum-postgres.service']!;
  const replica = units['news-forum-postgres-replica.service']!;
  const primaryCommand = (compose.services.postgres!.command as string[]).join(' ');
  for (const text of [primary, primaryCommand]) expect(text).toMatch(/postgres -c wal_level=replica -c max_wal_senders=\d+/);
  for (const text of [primary, compose.services.postgres!.post_start![0]!.command.join(' ')]) {
    expect(text).toContain("echo 'host replication replicator all scram-sha-256' >>");
    expect(text).toContain("ALTER ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password'");
  }
  const service = compose.services['postgres-replica']!;
  for (const text of [replica, service.entrypoint!.join(' ')]) {
    expect(text).toMatch(
      /test -s \\?"\$\$PGDATA\/PG_VERSION\\?" \|\| [^;]*pg_basebackup -h \S+ (-p 5432 )?-U replicator -D \\?"\$\$PGDATA\\?" -R -X stream -C -S replica/,
    );
    expect(text).toMatch(/postgres -c hot_standby=on -c cluster_name=replica/);
  }
  // Synchronous once it streams, and started only once the primary counts it in the quorum (commits wait for it);
  // asynchronous again when it stops: writes never wait for a replica that is gone.
  const synchronousOnceStreaming =
    /= streaming \].*ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 \(replica\)'.*SELECT sync_state .*= quorum \]/;
  expect(replica.match(/^ExecStartPost=.*$/m)?.[0]).toMatch(synchronousOnceStreaming);
  expect(replica).toMatch(/^ExecStopPost=.*ALTER SYSTEM SET synchronous_standby_names = ''/m);
  expect(service.post_start![0]!.command.join(' ')).toMatch(synchronousOnceStreaming);
  expect(service.pre_stop![0]!.command.join(' ')).toContain("ALTER SYSTEM SET synchronous_standby_names = ''");
  // Never on the primary's machine.
  expect(replica).toMatch(/^\[X-Fleet\]\nConflicts=news-forum-postgres\.service$/m);
});

test("the replica watch: on the primary's machine, and in the compose file, the primary alone once the replica has not streamed for its grace", () => {
  expect(named).toContain('news-forum-postgres-sync-watch.service');
  const unit = units['news-forum-postgres-sync-watch.service']!;
  expect(unit).toMatch(/^\[X-Fleet\]\nMachineOf=news-forum-postgres\.service$/m);
  // replica.test.ts runs the unit's script against PostgreSQL; the compose service must say the same.
  const watching =
    /grace=10; down=0; while :; do.*state = 'streaming'.*= 0 \]; then down=\$\$\(\(down \+ 1\)\); else down=0; fi;.*-ge \$\$grace \].*SHOW synchronous_standby_names.*ALTER SYSTEM SET synchronous_standby_names = ''.*sleep 1; done/;
  expect(unit.match(/^ExecStart=.*$/m)?.[0]).toMatch(watching);
  const service = compose.services['postgres-sync-watch']!;
  expect((service.command as string[]).join(' ')).toMatch(watching);
});

test('the units pull what they run, from a registry named in /etc/news-forum/fleet.env, and the README names every image', () => {
  const example = settings(ENV_FILES['fleet.env']!);
  /** An image reference as docker pull resolves it: `${NAME}` is the example's value. */
  const resolve = (image: string) => image.replace(/^\$\{([A-Z_]+)\}$/, (_, name: string) => example[name] ?? image);
  const fromUnits = new Set(Object.values(units).flatMap((text) => [...text.matchAll(/docker pull (\S+)/g)].map((m) => m[1]!)));
  for (const image of fromUnits) {
    const resolved = resolve(image);
    // `owner/name` with no registry host is Docker Hub's account `owner`: only official images (no owner) go there.
    const firstPart = resolved.split('/')[0]!;
    expect({ image, resolved, ownRegistryOrOfficial: !resolved.includes('/') || /[.:]/.test(firstPart) }).toEqual({
      image,
      resolved,
      ownRegistryOrOfficial: true,
    });
    const variable = /^\$\{([A-Z_]+)\}$/.exec(image)?.[1];
    expect(named).toContain(variable ?? image);
  }
  // What the compose file builds locally is what the units run from the registry: the same name under a registry host.
  const asCompose = (image: string) =>
    image.startsWith('${')
      ? resolve(image)
          .replace(/^[^/]+\//, '')
          .replace(/:[^/:]+$/, '')
      : image;
  const fromCompose = new Set(Object.values(compose.services).map((service) => service.image!));
  expect([...fromCompose].sort()).toEqual([...fromUnits].map(asCompose).sort());
  for (const image of fromCompose) expect(named).toContain(image);
  // Every unit runs an image it pulls.
  for (const [name, text] of Object.entries(units)) {
    const pulls = [...text.matchAll(/docker pull (\S+)/g)].map((m) => m[1]!);
    for (const line of text.split('\n').filter((l) => /docker run /.test(l))) {
      expect({
        name,
        runsWhatItPulls: pulls.some((image) => new RegExp(` ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`).test(line)),
      }).toEqual({ name, runsWhatItPulls: true });
    }
  }
});

test('ports: what the units and the compose file publish or use is in the README, and the nodes listen where the image says', () => {
  const containerPorts = new Set<string>();
  for (const text of Object.values(units))
    for (const m of text.matchAll(/-p (?:\$\{[A-Z0-9_]+\}:)?(\d+):(\d+)/g)) containerPorts.add(m[1]!).add(m[2]!);
  for (const service of Object.values(compose.services))
    for (const mapping of service.ports ?? []) for (const port of mapping.split(':')) containerPorts.add(port);
  containerPorts.add('2379').add('2380').add('6379').add('5432');
  for (const port of containerPorts) expect(readme).toMatch(new RegExp(`\\b${port}\\b`));
  expect(readImageCommand().env.PORT).toBe('3000');
  // Published on the private address: the load balancer reaches the nodes there, and nothing else should.
  expect(units['news-forum@.service']).toContain('-p ${COREOS_PRIVATE_IPV4}:3000:3000');
});

test('no unit publishes Redis, PostgreSQL or a node on every address, or puts a secret on a command line', () => {
  for (const [name, text] of Object.entries(units)) {
    for (const port of ['6379', '5432', '3000'])
      expect({ name, everyAddress: text.includes(`-p ${port}:`) }).toEqual({ name, everyAddress: false });
    // `-e NAME=${VALUE}` shows VALUE to every account in ps; `-e NAME` passes it from the unit's environment.
    for (const secret of ['PASSWORD', 'ETCD_URL', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'])
      expect({ name, secret, onCommandLine: new RegExp(`-e [A-Z_]*${secret}=\\$\\{`).test(text) }).toEqual({
        name,
        secret,
        onCommandLine: false,
      });
  }
  expect(units['news-forum-redis.service']).toContain('--requirepass');
});

test('what an operator sets comes from /etc/news-forum/, not from a line of a unit', () => {
  const example = ENV_FILES['fleet.env']!;
  for (const [name, text] of Object.entries(units)) {
    for (const m of text.matchAll(/^Environment=([A-Z_]+)=/gm)) expect({ name, hardCoded: m[1] }).toEqual({ name, hardCoded: undefined });
  }
  // The proxy's --domain, and the certificate it serves, are the operator's.
  expect(units['news-forum-proxy.service']).toMatch(/--domain \$\{DOMAIN\}"$/m);
  expect(units['news-forum-proxy.service']).toMatch(/^EnvironmentFile=\/etc\/news-forum\/fleet\.env$/m);
  expect(example).toMatch(/^DOMAIN=\S+$/m);
});

test('variables: every one the units and the compose file set is in the README and is read by a program of the project', () => {
  const variables = new Set<string>();
  for (const text of Object.values(units)) {
    for (const m of text.matchAll(/-e ([A-Z_]+)=/g)) variables.add(m[1]!);
    for (const m of text.matchAll(/\$\{([A-Z_]+)\}/g)) variables.add(m[1]!);
  }
  for (const service of Object.values(compose.services)) for (const key of Object.keys(service.environment ?? {})) variables.add(key);
  for (const name of Object.keys(examples)) variables.add(name);
  const readers = [
    readFileSync(path.join(ROOT, 'server/src/config/config.ts'), 'utf8'),
    read('sidekick/news-forum-discovery.sh'),
    read('src/cluster/demo-service.ts'),
    read('src/renderer/cli.ts'),
    readFileSync(path.join(ROOT, 'demo/src/index.js'), 'utf8'),
  ].join('\n');
  const platform = new Set([
    'COREOS_PRIVATE_IPV4',
    'COREOS_PUBLIC_IPV4',
    'POSTGRES_USER',
    'POSTGRES_DB',
    'POSTGRES_PASSWORD',
    'REPLICATION_PASSWORD',
    'POSTGRES_PRIMARY_HOST',
    'PGPASSWORD',
    // Redis's password, for its unit's requirepass (the nodes read it in REDIS_URL).
    'REDIS_PASSWORD',
    'DOMAIN',
    'PUBLIC_PROXY_ADDR',
    // The public proxy's etcd URL, which its unit passes to the renderer as ETCD_URL.
    'PROXY_ETCD_URL',
    // The images the units pull and run.
    'SERVER_IMAGE',
    'BALANCER_IMAGE',
  ]);
  expect(variables.size).toBeGreaterThan(15);
  for (const name of variables) {
    if (!name.startsWith('COREOS_')) expect({ name, inReadme: named.has(name) }).toEqual({ name, inReadme: true });
    if (!platform.has(name)) expect({ name, read: new RegExp(`\\b${name}\\b`).test(readers) }).toEqual({ name, read: true });
  }
});

test('the Dockerfile is multi-stage, installs production dependencies only, runs as a non-root user with a HEALTHCHECK on /readyz (deploy/src/health)', () => {
  const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
  expect(stages).toEqual(['build', 'dependencies', 'runtime', 'balancer', 'server']);
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
  const server = dockerfile.slice(dockerfile.indexOf('AS server'));
  expect(server).toMatch(/^USER node$/m);
  expect(server).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "deploy\/dist\/health\/cli\.js"\]$/m);
  expect(existsSync(path.join(ROOT, 'deploy/dist/health/cli.js'))).toBe(true);
  expect(dockerfile.slice(dockerfile.indexOf('AS balancer'), dockerfile.indexOf('AS server'))).toMatch(/^USER node$/m);
  const ignore = read('Dockerfile.dockerignore');
  for (const pattern of ['**/node_modules', '**/dist', '.git', '.cluster']) expect(ignore.split('\n')).toContain(pattern);
});

test('the HEALTHCHECK counts a node serving when it is ready, or not ready for Redis alone', () => {
  expect(serves({ status: 200, checks: { store: 'ok' } })).toBe(true);
  expect(serves({ status: 503, checks: { store: 'ok', feed: 'ok', redis: 'fail' } })).toBe(true);
  expect(serves({ status: 503, checks: { store: 'fail', feed: 'ok', redis: 'fail' } })).toBe(false);
  expect(serves({ status: 503, checks: { store: 'fail', feed: 'ok' } })).toBe(false);
  expect(serves({ status: 503 })).toBe(false);
  expect(serves({ status: 500, checks: { redis: 'fail' } })).toBe(false);
});

test('the image CMD is what the cluster runs, and the compose nodes run it unchanged', () => {
  const image = readImageCommand();
  expect(image.cmd).toEqual(['node', 'server/dist/cli.js']);
  expect(image.workdir).toBe('/app');
  expect(existsSync(path.join(ROOT, image.cmd[1]!))).toBe(true);
  for (const name of ['node-1', 'node-2', 'node-3']) {
    expect(compose.services[name]!.image).toBe('news-forum/server');
    expect(compose.services[name]!.command).toBeUndefined();
  }
  expect(units['news-forum@.service']).toMatch(/ \$\{SERVER_IMAGE\}$/m);
});

test('npm run cluster names every missing program in one apt-get line, before it starts or writes anything', async () => {
  const dir = path.join(await tempDir('missing'), 'cluster');
  try {
    // A PATH without /usr/bin: etcd, etcdctl, curl and redis-server are not found (nginx is in /usr/sbin).
    const result = await run(process.execPath, [path.join(DEPLOY, 'dist/cluster/cli.js'), '--dir', dir], {
      env: { PATH: '/nonexistent' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(1);
    const line = /^news-forum cluster: missing programs; install them with: apt-get install -y ([a-z0-9 -]+)\n$/.exec(result.stderr);
    expect(line?.[1]?.split(' ')).toEqual(expect.arrayContaining(['etcd-server', 'etcd-client', 'curl', 'redis-server']));
    expect(existsSync(dir)).toBe(false);
  } finally {
    await removeDir(path.dirname(dir));
  }
});

// As root (as CI runs it), PostgreSQL and nginx's workers run as other accounts; elsewhere the check has nothing to do.
(process.getuid?.() === 0 ? test : test.skip)(
  'npm run cluster as root, under a directory other accounts cannot pass, says so before it starts anything',
  async () => {
    const closed = path.join(await tempDir('closed'), 'closed');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const dir = path.join(closed, 'cluster');
    try {
      const result = await run(process.execPath, [path.join(DEPLOY, 'dist/cluster/cli.js'), '--dir', dir]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^news-forum cluster: .*\/closed lets no other account through.*CLUSTER_DIR=\/tmp\/forum, or --dir\)\n$/,
      );
      expect(existsSync(path.join(dir, 'etcd'))).toBe(false);
    } finally {
      await removeDir(path.dirname(closed));
    }
  },
);

/** The workspace packages the programs import, by name: their package.json, for their `exports`. */
const WORKSPACES = Object.fromEntries(
  ['server', 'demo', 'protocol', 'sdk', 'deploy'].map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, unknown>;
    };
    return [manifest.name, { dir, exports: manifest.exports }];
  }),
);

/** The source a built file or an import comes from: `dist/x.js` is `src/x.ts`. */
function sourceOf(file: string): string | undefined {
  for (const candidate of [file, file.replace(/\/dist\//, '/src/').replace(/\.c?js$/, '.ts'), file.replace(/\.js$/, '.ts')])
    if (existsSync(candidate) && !candidate.includes('/dist/')) return candidate;
  return undefined;
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return sourceOf(path.resolve(path.dirname(from), specifier));
  const name = /^(@[^/]+\/[^/]+)(\/.*)?$/.exec(specifier);
  const workspace = name ? WORKSPACES[name[1]!] : undefined;
  if (!workspace) return undefined; // a dependency from npm: reads nothing of ours
  const entry = workspace.exports[`.${name![2] ?? ''}`] as { default?: string; import?: { default: string } } | string | undefined;
  const target = typeof entry === 'string' ? entry : (entry?.default ?? entry?.import?.default);
  return target ? sourceOf(path.join(ROOT, workspace.dir, target)) : undefined;
}

/** `<prefix>_…` names readEtcdAccess builds from a prefix, from its own source. */
const ETCD_SUFFIXES = [
  ...readFileSync(path.join(ROOT, 'server/src/config/etcd-access.ts'), 'utf8').matchAll(/`\$\{prefix\}(_[A-Z_]+)`/g),
].map((m) => m[1]!);

/** The environment variables a program reads: names it quotes or takes from env, in its sources and what they import. */
function variablesRead(entry: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(entry)) return names;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  if (entry.endsWith('.sh')) {
    for (const m of text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) names.add(m[1]!);
    return names;
  }
  for (const m of text.matchAll(/(?:'|"|env\??\.)([A-Z][A-Z0-9_]+)\b/g)) names.add(m[1]!);
  // readEtcdAccess(env, 'PUBLIC_ETCD'), directly or through a helper given the prefix: PUBLIC_ETCD_URL, _CA_FILE…
  if (text.includes('readEtcdAccess('))
    for (const m of text.matchAll(/'([A-Z_]*ETCD)'/g)) for (const suffix of ETCD_SUFFIXES) names.add(m[1]! + suffix);
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    const source = resolveImport(entry, m[1]!);
    if (source) for (const name of variablesRead(source, seen)) names.add(name);
  }
  return names;
}

/** The variables of the official postgres image's entrypoint (docker-entrypoint.sh) that the units use. */
const POSTGRES_ENTRYPOINT = ['POSTGRES_USER', 'POSTGRES_DB', 'POSTGRES_PASSWORD', 'POSTGRES_INITDB_ARGS', 'PGDATA'];

/** What a unit's env file sets: its example in fleet/env (or beside the units), or CoreOS's /etc/environment. */
function fileVariables(file: string): string[] {
  if (file === '/etc/environment') return ['COREOS_PRIVATE_IPV4', 'COREOS_PUBLIC_IPV4'];
  const base = path.basename(file);
  const example = [`fleet/env/${base}.example`, `fleet/${base}.example`].find((name) => existsSync(path.join(DEPLOY, name)));
  expect({ file, example: example !== undefined }).toEqual({ file, example: true });
  return Object.keys(settings(read(example!)));
}

/** Each container a unit runs: the variables it receives, and those its program reads. */
function containers(name: string, text: string) {
  const pulled = [...text.matchAll(/docker pull (\S+)/g)].map((m) => m[1]!);
  const unitVariables = new Set([...text.matchAll(/^EnvironmentFile=-?(\S+)$/gm)].flatMap((m) => fileVariables(m[1]!)));
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^Exec\w+=.*docker run /.test(line))
    .map((line) => {
      const image = pulled.find((candidate) => line.includes(` ${candidate} `) || line.endsWith(` ${candidate}`))!;
      const at = line.indexOf(` ${image}`);
      const options = line.slice(line.indexOf('docker run '), at);
      const command = line.slice(at + image.length + 1).trim();
      const receives = new Set<string>();
      for (const m of options.matchAll(/--env-file[ =](\S+)/g)) for (const variable of fileVariables(m[1]!)) receives.add(variable);
      for (const m of options.matchAll(/(?:^| )(?:-e|--env)[ =]([A-Za-z_][A-Za-z0-9_]*)(=?)/g)) {
        receives.add(m[1]!);
        // Passed by name: docker takes it from the unit's environment, so one of its files must set it.
        if (!m[2])
          expect({ name, passedByName: m[1], inUnitEnvironment: unitVariables.has(m[1]!) }).toMatchObject({ inUnitEnvironment: true });
      }
      const program = command || (/^\$\{SERVER_IMAGE\}$/.test(image) ? readImageCommand().cmd.join(' ') : '');
      const reads = new Set<string>();
      // Shell the unit runs in the container: what it expands ($$NAME is $NAME once systemd is done).
      for (const m of program.matchAll(/\$\$\{?([A-Z_][A-Z0-9_]*)/g)) reads.add(m[1]!);
      for (const m of program.matchAll(/(?:^|\s)((?:server|deploy|demo)\/[\w/.-]+\.(?:js|sh))/g)) {
        const source = sourceOf(path.join(ROOT, m[1]!));
        expect({ name, program: m[1], source: source !== undefined }).toEqual({ name, program: m[1], source: true });
        for (const variable of variablesRead(source!)) reads.add(variable);
      }
      if (image.startsWith('postgres:') && /^postgres /.test(program)) for (const variable of POSTGRES_ENTRYPOINT) reads.add(variable);
      return { line: line.slice(0, line.indexOf('=')), image, receives, reads };
    });
}

/** A password, a signing secret, or a URL that carries credentials. */
const isSecret = (variable: string) => /PASSWORD|SECRET|(^|_)ETCD_URL$|^DATABASE_URL$|^REDIS_URL$/.test(variable);

test('each container receives only variables its program reads, so no secret reaches one that does not use it', () => {
  // The readers are found, not listed: a node reads its database and JWT secret and nothing of PostgreSQL's own.
  const server = variablesRead(sourceOf(path.join(ROOT, 'server/dist/cli.js'))!);
  for (const variable of ['DATABASE_URL', 'JWT_SECRET', 'ETCD_URL', 'ETCD_CA_FILE', 'ADMIN_PASSWORD']) expect(server).toContain(variable);
  for (const variable of ['POSTGRES_PASSWORD', 'REPLICATION_PASSWORD', 'REDIS_PASSWORD', 'PROXY_ETCD_URL', 'PUBLIC_ETCD_URL'])
    expect(server).not.toContain(variable);
  let checked = 0;
  for (const [name, text] of Object.entries(units)) {
    for (const container of containers(name, text)) {
      checked += 1;
      const unread = [...container.receives].filter((variable) => !container.reads.has(variable)).sort();
      expect({ name, container: container.line, unread, secretsUnread: unread.filter(isSecret) }).toEqual({
        name,
        container: container.line,
        unread: [],
        secretsUnread: [],
      });
    }
  }
  expect(checked).toBeGreaterThan(10);
  // Each secret is in the files of the units that need it alone: the demo gets neither the cluster's etcd nor the administrator.
  const demo = containers('news-forum-demo.service', units['news-forum-demo.service']!)[0]!;
  for (const variable of ['ETCD_URL', 'ADMIN_PASSWORD', 'POSTGRES_PASSWORD', 'PROXY_ETCD_URL'])
    expect(demo.receives).not.toContain(variable);
});

test('every env file example is used by a unit and named in the README, fleet.env holds no secret, every secret is a placeholder', () => {
  const used = new Set(Object.values(units).flatMap((text) => [...text.matchAll(/\/etc\/news-forum\/([\w-]+\.env)\b/g)].map((m) => m[1]!)));
  expect([...used].sort()).toEqual(Object.keys(ENV_FILES).sort());
  // fleet.env is every unit's: it holds no secret.
  expect(Object.keys(settings(ENV_FILES['fleet.env']!)).filter(isSecret)).toEqual([]);
  for (const [file, text] of Object.entries(ENV_FILES)) {
    expect({ file, inReadme: named.has(file) }).toEqual({ file, inReadme: true });
    for (const [variable, value] of Object.entries(settings(text)))
      if (isSecret(variable)) expect({ file, variable, value }).toMatchObject({ value: expect.stringMatching(/change-?me/) });
  }
});
