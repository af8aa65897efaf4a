// What ships, tested as it ships: a package packed with `npm pack`,
// installed from its tarball into an empty folder with its dependencies from
// the registry (and the tarballs of the sibling packages it depends on), then
// imported, type-checked and linted there. Shared by each package's
// test/package.test.ts.

import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from '@jest/globals';

export type PackageName = 'protocol' | 'sdk' | 'widget' | 'server';

/** The @news-forum packages each one needs at run time, packed and installed with it. */
const NEEDS: Record<PackageName, PackageName[]> = {
  protocol: [],
  sdk: ['protocol'],
  widget: ['protocol', 'sdk'],
  server: ['protocol', 'sdk', 'widget'],
};

export const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** A program installed in the repository's node_modules/.bin. */
export function bin(name: string): string {
  return path.join(rootDir, 'node_modules', '.bin', name);
}

/** Runs a command; fails with its output when it fails. */
export async function sh(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: 'false', ...env },
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** A package installed alone into an empty consumer project. */
export interface InstalledPackage {
  /** The consumer project, with the package in node_modules. */
  app: string;
  /** The package's own tarball. */
  tarball: string;
  /** Files in the package's tarball. */
  files: string[];
  /** Copies a folder's files (consumer code) into the consumer project. */
  addFiles(from: string): Promise<void>;
  /** Type-checks consumer files with `tsc --strict` against the installed package. */
  typeCheck(files: string[], options?: { lib?: string[]; types?: string[] }): Promise<void>;
  /** Runs attw and publint on the package's tarball; fails on any problem they report. */
  lint(options?: { attwProfile?: 'strict' | 'esm-only' }): Promise<void>;
  cleanup(): Promise<void>;
}

/** Packs `name` (built already) and the packages it needs, and installs the tarballs into an empty folder. */
export async function installAlone(name: PackageName): Promise<InstalledPackage> {
  const work = await mkdtemp(path.join(tmpdir(), `news-forum-${name}-pack-`));
  try {
    const tarballs: string[] = [];
    let own: { filename: string; files: { path: string }[] } | undefined;
    for (const workspace of [...NEEDS[name], name]) {
      const [packed] = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', work, '--workspace', workspace], rootDir)) as {
        filename: string;
        files: { path: string }[];
      }[];
      if (!packed) throw new Error(`npm pack --workspace ${workspace} reported no tarball`);
      tarballs.push(path.join(work, packed.filename));
      own = packed;
    }
    if (!own) throw new Error(`nothing packed for ${name}`);
    const app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], app);
    const tarball = path.join(work, own.filename);
    return {
      app,
      tarball,
      files: own.files.map((file) => file.path).sort(),
      async addFiles(from) {
        for (const file of await readdir(from)) await copyFile(path.join(from, file), path.join(app, file));
      },
      async typeCheck(files, { lib = ['ES2023', 'DOM'], types = [] } = {}) {
        const compilerOptions = {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib,
          types,
          noEmit: true,
        };
        await writeFile(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
        await sh(bin('tsc'), ['-p', '.'], app);
      },
      async lint({ attwProfile = 'strict' } = {}) {
        await sh(bin('attw'), [tarball, '--profile', attwProfile, '--no-definitely-typed', '--format', 'ascii'], work);
        await sh(bin('publint'), ['run', tarball, '--strict'], work);
      },
      cleanup: () => rm(work, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Installs `name` alone once for a test file (in beforeAll), with the
 * consumer files of `consumer` next to it, and removes it all afterwards.
 * Returns the getter of the installed package.
 */
export function useInstalledPackage(name: PackageName, consumer: URL, timeoutMs = 300_000): () => InstalledPackage {
  let installed: InstalledPackage | undefined;
  beforeAll(async () => {
    installed = await installAlone(name);
    await installed.addFiles(fileURLToPath(consumer));
  }, timeoutMs);
  afterAll(async () => {
    await installed?.cleanup();
  });
  return () => {
    if (!installed) throw new Error(`${name} was not installed`);
    return installed;
  };
}
