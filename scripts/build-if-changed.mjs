#!/usr/bin/env node
// Runs `npm run build` in the current directory only when something the build
// reads changed since the last successful build, so that a second `npm start`
// starts at once. "Changed" means one of the build's inputs (below) was added,
// removed, resized or touched (its mtime moved), a package was installed, or a
// workspace's `dist/` is missing. Only those inputs are looked at, never the
// whole tree: a log (`npm start >> forum.log`) or a backup kept in the checkout
// is not a source. The stamp lives in node_modules/.cache, so a fresh install
// always builds.
//
// `--record` builds nothing and records the tree as built: it is `npm run
// build`'s postbuild, so that `npm start` after a build by hand starts at once.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the builds read, besides each workspace's manifest and tsconfig*.json: at the root, the lockfile and the
 * contract (the server's build copies and parses openapi.yaml); in a workspace that has a build, its sources, its
 * build scripts (the server's and the widget's bundlers) and its tools' configuration (tsup.config.ts,
 * custom-elements-manifest.config.mjs).
 */
const ROOT_FILES = ['package.json', 'package-lock.json', 'openapi.yaml'];
const WORKSPACE_FOLDERS = ['src', 'scripts'];
const CONFIG = /^(package\.json|tsconfig.*\.json|(?!jest\.)[^.]+\.config\.[cm]?[jt]s)$/;
/** Never a build's input, even inside a source folder. */
const NOT_READ = new Set(['node_modules', 'dist', '.git']);
/** npm rewrites it on every install: it stands for the installed dependencies. */
const INSTALLED = path.join('node_modules', '.package-lock.json');
const STAMP = path.join('node_modules', '.cache', 'news-forum', 'build-stamp');

/** Files of `dir` (relative to root), and of its folders when `deep`, whose name `keep` accepts. */
function* filesOf(root, dir, { deep, keep = () => true }) {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep && !NOT_READ.has(entry.name)) yield* filesOf(root, relative, { deep, keep });
    } else if (entry.isFile() && keep(entry.name)) {
      yield relative;
    }
  }
}

function manifest(root, dir) {
  const file = path.join(root, dir, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** The workspaces, and whether each has a build. */
function workspaces(root) {
  return (manifest(root, '')?.workspaces ?? []).map((dir) => ({ dir, builds: manifest(root, dir)?.scripts?.build !== undefined }));
}

/** Every file a build reads (sorted), and the installed dependencies. */
function inputs(root) {
  const files = [...ROOT_FILES.filter((file) => existsSync(path.join(root, file)))];
  files.push(...filesOf(root, '', { deep: false, keep: (name) => /^tsconfig.*\.json$/.test(name) }));
  for (const { dir, builds } of workspaces(root)) {
    files.push(...filesOf(root, dir, { deep: false, keep: (name) => CONFIG.test(name) }));
    if (!builds) continue;
    for (const folder of WORKSPACE_FOLDERS) {
      files.push(...filesOf(root, path.join(dir, folder), { deep: true, keep: (name) => !/\.(md|tsbuildinfo)$/.test(name) }));
    }
  }
  files.sort();
  if (existsSync(path.join(root, INSTALLED))) files.push(INSTALLED);
  return files;
}

/** A hash of the path, size and mtime of every input, and of the installed dependencies. */
function fingerprint(root) {
  const hash = createHash('sha256');
  for (const file of inputs(root)) {
    const { size, mtimeMs } = statSync(path.join(root, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Workspaces that build into `dist/` but have none (deleted by hand, or never built). */
function missingOutputs(root) {
  return workspaces(root)
    .filter(({ dir, builds }) => builds && !existsSync(path.join(root, dir, 'dist')))
    .map(({ dir }) => dir);
}

function readStamp(root) {
  try {
    return readFileSync(path.join(root, STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function build(root) {
  // Under npm, npm_execpath is the npm that runs us; use the same one.
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, 'run', 'build']] : ['npm', ['run', 'build']];
  const { status, error } = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: !npm && process.platform === 'win32' });
  if (error) throw error;
  return status ?? 1;
}

function recordBuilt(root) {
  mkdirSync(path.dirname(path.join(root, STAMP)), { recursive: true });
  writeFileSync(path.join(root, STAMP), `${fingerprint(root)}\n`);
}

const root = process.cwd();
const missing = missingOutputs(root);
if (process.argv.includes('--record')) {
  recordBuilt(root);
} else if (missing.length === 0 && readStamp(root) === fingerprint(root)) {
  process.stdout.write('build: up to date (nothing changed since the last build)\n');
} else {
  process.stdout.write(
    missing.length > 0 ? `build: ${missing.join(', ')} not built yet\n` : 'build: sources changed since the last build\n',
  );
  const status = build(root);
  if (status !== 0) process.exit(status);
  // Taken after the build: files it writes outside dist/ (copies, generated code) count as they are now.
  recordBuilt(root);
}
