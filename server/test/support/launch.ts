import { type ChildProcess, spawn } from 'node:child_process';

/** A server process on its way up. */
export interface Launched {
  child: ChildProcess;
  /** Resolves once it is ready; rejects with the tail of its stderr when it exits first or takes too long. */
  ready: Promise<void>;
}

/** Spawns a server (stdout ignored, stderr kept for errors) and polls `ready` every 50 ms. */
export function launch(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; ready: () => Promise<boolean>; timeoutMs: number },
): Launched {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const ready = (async () => {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output}`);
      if (await options.ready()) return;
      if (Date.now() > deadline) throw new Error(`${name} did not start within ${options.timeoutMs} ms: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { child, ready };
}

/** Sends `signal` to a process that still runs and waits for it to exit. */
export async function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
