import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./client-worker.mjs', import.meta.url));
// Never leave a client process behind when the bench dies.
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A reply of one worker to one request. */
function reply(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => {
      child.off('message', onMessage);
      reject(new Error(`a client process exited with ${code} before answering ${type}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `message` to a worker; resolves to its answer (of the same type). */
function ask(child, message) {
  const answer = reply(child, message.type);
  child.send(message);
  return answer;
}

/**
 * `count` socket.io clients spread over `processes` load processes (forked,
 * so on the load's core like this one), so that what is measured is the
 * server and not one client process's backlog. Times are epoch
 * milliseconds (`performance.timeOrigin + performance.now()`), comparable
 * across the processes.
 */
export async function openSwarm(url, count, { subscribe, processes = Math.max(4, cpus().length) } = {}) {
  const children = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
    const child = fork(WORKER, [], {
      // A reset collects the last run's garbage (see client-worker.mjs).
      execArgv: [...process.execArgv, '--expose-gc'],
      env: { ...process.env, URL: url, COUNT: String(share), ...(subscribe && { SUBSCRIBE: JSON.stringify(subscribe) }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return child;
  });
  await Promise.all(children.map((child) => reply(child, 'ready')));
  return {
    clients: count,
    /** The load processes' ids, for their CPU time. */
    pids: children.map((child) => child.pid),
    /** Forgets what was received so far, and collects it, so that no client process collects it during the next run. */
    async reset() {
      await Promise.all(children.map((child) => ask(child, { type: 'reset' })));
    },
    /** Waits (up to `timeoutMs`) for every client to hold the final version of each post of `votes` (the votes sent). */
    async converge(votes, timeoutMs) {
      await Promise.all(children.map((child) => ask(child, { type: 'converge', votes, timeoutMs })));
    },
    /**
     * After `converge`: the latencies of its votes from the `from`-th on at
     * every client, the arrivals of those missing, the events (changes), the
     * messages and the bytes received (of every vote) and the clients at
     * every final version. Asked of every process once all converged, so that
     * none works on its report while another's clients are still behind.
     */
    async report(from = 0) {
      const results = await Promise.all(children.map((child) => ask(child, { type: 'report', from })));
      return {
        latencies: results.flatMap((r) => r.latencies),
        missing: results.reduce((sum, r) => sum + r.missing, 0),
        events: results.reduce((sum, r) => sum + r.events, 0),
        messages: results.reduce((sum, r) => sum + r.messages, 0),
        bytes: results.reduce((sum, r) => sum + r.bytes, 0),
        atFinal: results.reduce((sum, r) => sum + r.atFinal, 0),
      };
    },
    close() {
      for (const child of children) {
        if (child.connected) child.send({ type: 'close' });
      }
    },
  };
}
