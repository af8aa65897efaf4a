import { machine, table } from './report.mjs';

/** BENCHMARKS.md: the table, the machine, the date, how to reproduce, what each benchmark measures. */
export function markdown({ rows, benchmarks, started, seconds, load, command, pairs }) {
  const m = machine();
  return `# Benchmarks

Each figure is the median of ${pairs} interleaved run${pairs === 1 ? '' : 's'} (baseline, news-forum, baseline,
news-forum, …) against a bare baseline measured in the same run; the ratio is news-forum ÷ baseline. These are
measurements, not tests: nothing in the test suite asserts a time.

${table(rows)}

**The machine is shared and noisy**: other work ran on it at the same time, so figures move between runs; the
ratios, measured side by side, move less than the absolute figures.

- Date: ${started.toISOString()} (the run took ${Math.round(seconds)} s)
- Load average (1 min, all processes of the machine): ${load.start.toFixed(1)} at the start, ${load.end.toFixed(1)} at the end
- Machine: ${m.cores} cores (\`nproc --all\`), ${m.cpu}, ${m.memory} RAM, Node ${m.node}
- Pinning: ${m.pinning}
- Reproduce: \`npm ci && npm run build && ${command}\` (\`npm run bench -- --quick --only reads,size\` for a short run)

## What is measured

${benchmarks.map((b) => b.describe.map((line) => `- **${b.name}**: ${line}`).join('\n')).join('\n')}
`;
}
