// One load process of the fan-out benchmark, forked by client-swarm.mjs:
// opens COUNT socket.io clients to URL (subscribed to SUBSCRIBE, JSON, when
// set), records each change of `poststream` (or of a `postpatches` batch: a delta carries the new post whole, a patch what changed) with its version and arrival time (epoch
// milliseconds, comparable across processes), and answers the parent's
// messages: `reset`, `converge` (the votes sent; waits for its clients to
// converge), `report` (their latencies from the `from`-th vote on) and `close`.

import { closeClients, openClients } from './clients.mjs';

const now = () => performance.timeOrigin + performance.now();

const subscribe = process.env.SUBSCRIBE ? JSON.parse(process.env.SUBSCRIBE) : undefined;
// Four processes open their clients at once on a core that may be busy: patience.
const sockets = await openClients(process.env.URL, Number(process.env.COUNT), { subscribe, timeout: 120_000 });
const logs = sockets.map(() => new Map());
// Messages of changes received, however many changes each carried.
let messages = 0;
// Bytes of every socket.io message received (the text of its engine.io packet), whatever event it carried.
let bytes = 0;
sockets.forEach((socket, c) => {
  socket.io.engine.on('message', (data) => {
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  });
  // A patch names what changed since its base, the version always among it: each client keeps each post's
  // version alone. Applying whole patches (as the SDK does on a reader's own machine) would cost this shared
  // load core, and the latencies of every client, a few microseconds per change that no server sends.
  const versions = new Map();
  const take = (change, at) => {
    const id = change.set ? change.id : change.new_val?.id;
    if (id === undefined) return;
    const version = change.set ? (change.set.version ?? versions.get(id)) : change.new_val.version;
    versions.set(id, version);
    const log = logs[c];
    // Flat pairs (version, arrival), allocated as the array grows rather than as an object per change.
    const arrivals = log.get(id);
    const held = arrivals ? arrivals.at(-2) : 0;
    if (arrivals) arrivals.push(version, at);
    else log.set(id, [version, at]);
    if (watch !== undefined) reached(watch, c, id, held, version);
  };
  socket.on('poststream', (change) => {
    messages += 1;
    take(change, now());
  });
  socket.on('postpatches', (changes) => {
    messages += 1;
    const at = now();
    for (const change of changes) take(change, at);
  });
});

/** Whether the log holds every post's final version. */
const converged = (log, finals) => finals.every(([id, version]) => (log.get(id)?.at(-2) ?? 0) >= version);

/**
 * What a measure waits for: each post's final version, the clients still
 * behind on some post (how many posts each), and what to call when none is.
 * Counted as changes arrive rather than polled: polling 250 clients' logs
 * every few milliseconds was load-core time taken from the clients still
 * catching up, the very ones the latencies' tail is made of.
 */
let watch;

/** Counts client `c` reaching the final version of post `id` (it held `held`, now `version`). */
function reached(w, c, id, held, version) {
  const final = w.finals.get(id);
  if (final === undefined || held >= final || version < final) return;
  w.behind[c] -= 1;
  if (w.behind[c] === 0) {
    w.clientsBehind -= 1;
    if (w.clientsBehind === 0) w.done();
  }
}

/** When `arrivals` (flat pairs of version and time) first held `version` or a later one; undefined if never. */
function arrivalOf(arrivals = [], version) {
  for (let i = 0; i < arrivals.length; i += 2) if (arrivals[i] >= version) return arrivals[i + 1];
  return undefined;
}

/** The votes of the run being measured, as the last `converge` named them. */
let measured = [];

/** Waits (up to `timeoutMs`) for every client to hold the final version of each post of `votes`. */
async function converge({ votes, timeoutMs }) {
  measured = votes;
  const finals = new Map();
  for (const v of votes) finals.set(v.postId, Math.max(finals.get(v.postId) ?? 0, v.version));
  const wanted = [...finals];
  const behind = logs.map((log) => wanted.filter(([id, version]) => (log.get(id)?.at(-2) ?? 0) < version).length);
  const clientsBehind = behind.filter((count) => count > 0).length;
  if (clientsBehind === 0) return;
  let timer;
  await new Promise((resolve) => {
    watch = { finals, behind, clientsBehind, done: resolve };
    timer = setTimeout(resolve, timeoutMs);
  });
  clearTimeout(timer);
  watch = undefined;
}

/**
 * The latencies of the measured votes from the `from`-th on, and what was received. Asked once every process
 * converged: computing and sending a hundred thousand latencies while another process's clients are still behind
 * took the load core from them.
 */
function report({ from = 0 }) {
  const finals = new Map();
  for (const v of measured) finals.set(v.postId, Math.max(finals.get(v.postId) ?? 0, v.version));
  const wanted = [...finals];
  const latencies = [];
  let missing = 0;
  for (const { postId, version, at } of measured.slice(from)) {
    for (const log of logs) {
      const arrival = arrivalOf(log.get(postId), version);
      if (arrival !== undefined) latencies.push(arrival - at);
      else missing += 1;
    }
  }
  const events = logs.reduce((sum, log) => sum + [...log.values()].reduce((n, arrivals) => n + arrivals.length / 2, 0), 0);
  return { latencies, missing, events, messages, bytes, atFinal: logs.filter((log) => converged(log, wanted)).length };
}

process.on('message', async (message) => {
  if (message.type === 'reset') {
    for (const log of logs) log.clear();
    messages = 0;
    bytes = 0;
    // The last run's arrivals and latencies are garbage now: a full collection during the next run's first votes
    // would hold back every client of this process, the latencies of those votes would be this process's pause.
    globalThis.gc?.();
    process.send({ type: 'reset' });
  } else if (message.type === 'converge') {
    await converge(message);
    process.send({ type: 'converge' });
  } else if (message.type === 'report') {
    process.send({ type: 'report', ...report(message) });
  } else if (message.type === 'close') {
    closeClients(sockets);
    process.exit(0);
  }
});
process.send({ type: 'ready' });
