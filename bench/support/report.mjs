import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { pinning } from './processes.mjs';

/**
 * One line of the table. `ratio` is ours ÷ baseline; `met` says whether the
 * target holds (undefined when there is none).
 */
export function row(benchmark, measure, unit, { baseline, ours, target, met }) {
  const ratio = baseline === undefined || baseline === 0 ? undefined : ours / baseline;
  return { benchmark, measure, unit, baseline, ours, ratio, target: target ?? '', met: met?.({ ours, ratio }) };
}

const number = (value, unit) => {
  if (value === undefined || Number.isNaN(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
};

/** The rows as a Markdown table. */
export function table(rows) {
  const cells = rows.map((r) => [
    r.benchmark,
    r.measure,
    number(r.baseline, r.unit),
    number(r.ours, r.unit),
    r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.met === undefined ? '' : r.met ? 'yes' : '**no**',
  ]);
  const header = ['benchmark', 'measure', 'baseline', 'news-forum', 'ratio', 'target', 'met'];
  const line = (values) => `| ${values.join(' | ')} |`;
  return [line(header), '|---|---|---:|---:|---:|---|---|', ...cells.map(line)].join('\n');
}

/** What the figures were measured on. */
export function machine() {
  const memory = `${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
  let cores = String(cpus().length);
  try {
    // --all: the bench has pinned itself to one core, which plain nproc would report.
    cores = execFileSync('nproc', ['--all']).toString().trim();
  } catch {}
  return {
    cores,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memory,
    node: process.version,
    pinning: pinning ? 'servers on core 0, load on core 1 (taskset)' : 'none (no taskset or one core)',
  };
}
