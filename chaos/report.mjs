// The campaign's figures as a Markdown table.

/** One row per round: fault, writes acknowledged and lost, convergence. */
export function reportTable(results) {
  const lines = [
    '| round | fault | writes acknowledged | unanswered (allowed either way) | lost | counter mismatches | counters equal a recount after the writes stopped | changes seen twice | nodes ready after healing | clients converged after that |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.round} | ${r.fault} | ${r.acknowledged} | ${r.uncertain} | ${r.lost} | ${r.counterMismatches} | ${(r.countersMs / 1000).toFixed(1)} s | ${r.duplicates} | ${(r.readyMs / 1000).toFixed(1)} s | ${
        r.convergeMs === undefined ? 'not within the limit' : `${(r.convergeMs / 1000).toFixed(2)} s`
      } |`,
    );
  }
  return lines.join('\n');
}
