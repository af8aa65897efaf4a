#!/usr/bin/env node
// Runs `npm run build` in the current directory only when something the build
// reads changed since the last successful build, so that a second `npm start`
// starts at once. "Changed" means a file was added, removed, resized or
// touched (its mtime moved) outside the folders a build does not read, a
// package was installed, or a workspace's `dist/` is missing. The stamp lives
// in node_modules/.cache, so a fresh install always builds.
//
// `--record` builds nothing and records the tree as built: it is `npm run
// build`'s postbuild, so that `npm start` after a build by hand starts at once.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Folders whose content never goes into a build: outputs, dependencies, tests, docs, local state (and below, *.md and tsc's own *.tsbuildinfo). */
const NOT_READ = new Set([
  'node_modules',
  'dist',
  '.git',
  '.tmp',
  '.tsc',
  'coverage',
  'data',
  '.cluster',
  'test',
  'bench',
  'chaos',
  'docs',
]);
/** npm rewrites it on every install: it stands for the installed dependencies. */
const INSTALLED = path.join('node_modules', '.package-lock.json');
const STAMP = path.join('node_modules', '.cache', 'news-forum', 'build-stamp');

function* inputs(root, dir = '') {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!NOT_READ.has(entry.name)) yield* inputs(root, relative);
    } else if (entry.isFile() && !/\.(md|tsbuildinfo)$/.test(entry.name)) {
      yield relative;
    }
  }
}

/** A hash of the path, size and mtime of every input, and of the installed dependencies. */
function fingerprint(root) {
  const hash = createHash('sha256');
  const files = [...inputs(root)].sort();
  if (existsSync(path.join(root, INSTALLED))) files.push(INSTALLED);
  for (const file of files) {
    const { size, mtimeMs } = statSync(path.join(root, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Workspaces that build into `dist/` but have none (deleted by hand, or never built). */
function missingOutputs(root) {
  const { workspaces = [] } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return workspaces.filter((workspace) => {
    const manifest = path.join(root, workspace, 'package.json');
    if (!existsSync(manifest)) return false;
    const { scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
    return scripts.build !== undefined && !existsSync(path.join(root, workspace, 'dist'));
  });
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
