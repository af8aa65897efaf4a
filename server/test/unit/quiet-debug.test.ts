import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';

// What the bundle gives its dependencies for `require('debug')` (scripts/bundle.mjs). DEBUG is read when the module
// loads, so each case loads it in a process of its own.
const SHIM = fileURLToPath(new URL('../../scripts/quiet-debug.cjs', import.meta.url));

/** Runs `body` (CommonJS, with `shim` and the real `debug` in scope) under `env`; its stdout as JSON, and its stderr. */
async function run(body: string, env: Record<string, string>) {
  const script = `
    const { createRequire } = require('node:module');
    const shim = require(${JSON.stringify(SHIM)});
    const debug = createRequire(${JSON.stringify(SHIM)})('debug');
    ${body}
  `;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, ...env },
  });
  return { out: JSON.parse(stdout), stderr };
}

describe('the debug shim of the bundle', () => {
  test('without DEBUG: a namespace is a function that writes nothing and says it is off, also as an ES default import', async () => {
    const { out, stderr } = await run(
      `
      const log = shim('engine:socket');
      log('sending packet "%s" (%s)', 'message', 'x'.repeat(100));
      log.extend('frames')('more');
      const interop = (mod) => (mod && mod.__esModule ? mod : { default: mod });
      interop(shim).default('socket.io:client')('a call through TypeScript\\'s interop');
      shim.enable('engine:*');
      shim('engine:socket')('after enable()');
      console.log(JSON.stringify({
        real: shim === debug,
        enabled: log.enabled,
        namespace: log.namespace,
        extended: log.extend('frames').namespace,
        returns: log('x') === undefined,
        parameters: log.length,
        interop: typeof interop(shim).default,
        viaDebugKey: shim.debug === shim,
      }));
    `,
      {},
    );
    expect(out).toEqual({
      real: false,
      enabled: false,
      namespace: 'engine:socket',
      extended: 'engine:socket:frames',
      returns: true,
      parameters: 0,
      interop: 'function',
      viaDebugKey: true,
    });
    expect(stderr).toBe('');
  });

  test('with DEBUG set: it is debug itself, and the namespaces DEBUG names write to stderr', async () => {
    const { out, stderr } = await run(
      `
      shim('engine:socket')('sending packet %s', 'hello');
      shim('router')('not named by DEBUG');
      console.log(JSON.stringify({ real: shim === debug, enabled: shim('engine:socket').enabled }));
    `,
      { DEBUG: 'engine:*' },
    );
    expect(out).toEqual({ real: true, enabled: true });
    expect(stderr).toContain('engine:socket sending packet hello');
    expect(stderr).not.toContain('not named by DEBUG');
  });
});
