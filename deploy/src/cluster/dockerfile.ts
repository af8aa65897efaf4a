import { readFileSync } from 'node:fs';
import { DeployError } from '../deploy-error.js';

/** What the image's final stage runs: its CMD (exec form), ENV and WORKDIR. */
export interface ImageCommand {
  /** The program, then its arguments. */
  cmd: [string, ...string[]];
  env: Record<string, string>;
  workdir: string;
}

/** The Dockerfile that ships (deploy/Dockerfile). */
export const DOCKERFILE = new URL('../../Dockerfile', import.meta.url).pathname;

/** Instructions of a Dockerfile with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; rest: string }[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), rest: rest.join(' ') };
    });
}

/** `ENV a=1 b="two"` and the legacy `ENV a 1`. */
function parseEnv(rest: string): Record<string, string> {
  if (!rest.includes('=')) {
    const [key = '', ...value] = rest.split(' ');
    return { [key]: value.join(' ') };
  }
  const env: Record<string, string> = {};
  for (const [, key = '', value = ''] of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return env;
}

/**
 * Reads the CMD, ENV and WORKDIR of a Dockerfile stage (by default the last,
 * which `docker build` builds), so the local cluster starts nodes the way the
 * image does. Only the exec form of CMD is accepted: it is what the image
 * must use for the node to receive SIGTERM.
 */
export function readImageCommand(file = DOCKERFILE, stage?: string): ImageCommand {
  const all = instructions(readFileSync(file, 'utf8'));
  // Each stage: the index of its FROM instruction and what follows FROM.
  const starts = all.flatMap((ins, at) => (ins.op === 'FROM' ? [{ at, from: ins.rest }] : []));
  const stageAt = (name: string | undefined) =>
    name === undefined ? starts.at(-1) : starts.find(({ from }) => new RegExp(`\\bAS\\s+${name}$`, 'i').test(from));
  // A stage built FROM an earlier stage inherits its ENV, WORKDIR and CMD.
  const collect = (start: { at: number; from: string }): { cmd?: string[]; env: Record<string, string>; workdir: string } => {
    const [base = ''] = start.from.split(/\s+/);
    const parent = stageAt(base);
    const image = parent !== undefined && parent.at < start.at ? collect(parent) : { env: {}, workdir: '/' };
    const end = starts.find(({ at }) => at > start.at)?.at ?? all.length;
    for (const { op, rest } of all.slice(start.at + 1, end)) {
      if (op === 'ENV') image.env = { ...image.env, ...parseEnv(rest) };
      if (op === 'WORKDIR') image.workdir = rest;
      if (op === 'CMD') {
        try {
          (image as { cmd?: string[] }).cmd = JSON.parse(rest) as string[];
        } catch {
          throw new DeployError('dockerfile', `${file}: CMD must use the exec form ["program", "arg"], got ${rest}`);
        }
      }
    }
    return image;
  };
  const start = stageAt(stage);
  if (start === undefined) throw new DeployError('dockerfile', `${file} has no stage ${stage ?? ''}`.trim());
  const { cmd, env, workdir } = collect(start);
  const [program, ...args] = cmd ?? [];
  if (program === undefined) throw new DeployError('dockerfile', `${file}: the stage has no CMD`);
  return { cmd: [program, ...args], env, workdir };
}
