// Writes the README's benchmark table from stored bench output: `npm run bench -- --out bench/results/t1.jsonl`
// (and `--threads 2 --out bench/results/t2.jsonl`), then `node dist/bench/readme-table.js bench/results/*.jsonl`
// replaces what lies between the README's bench markers. Every figure in the table comes from those files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  case: string;
  ticketlab_ms: number;
  pytorch_ms: number;
  ratio: number;
  pytorch_default_ms: number;
  ratio_default: number;
  threads: number;
  machine: string;
  date?: string;
  cpu_flags?: string;
  openblas_coretype?: string;
  kernels?: string;
  slowest_level_vs_level0?: number;
  peak_gflops_per_core?: number;
  share_of_peak?: number;
  pytorch_share_of_peak?: number;
}

const LABELS: Record<string, string> = {
  lenet_300_100_step: 'LeNet-300-100 training step (batch 60, Adam)',
  'lenet_300_100_step_d51.2': '… ticket at 51.2%',
  'lenet_300_100_step_d21.0': '… at 21.0%',
  'lenet_300_100_step_d8.6': '… at 8.6%',
  'lenet_300_100_step_d3.5': '… at 3.5%',
  'lenet_300_100_step_d1.4': '… at 1.4%',
  conv2_block_step: 'Conv-2 first block step (batch 60, 3→64→64, 3×3, max-pool)',
  lenet_imp_10x2000: 'whole IMP run, LeNet, 10 levels × 2,000 steps (to 13.5%)',
  transformer_step: '`lm_decoder_2_128` AdamW step (sequence 64, batch 32)',
  grok_mlp_epoch: '`grok_mlp_67` full-batch AdamW step',
  ks_embedding_32000x4096: 'KS test of every row of a 32000×4096 BF16 pair (peer: scipy)',
};

const fmt = (ms: number) => (ms >= 100 ? ms.toLocaleString('en-US', { maximumFractionDigits: 0 }) : ms.toFixed(3));
/** "x× faster" from a ratio below 1, "x× slower" above. */
const speed = (ratio: number) => (ratio <= 1 ? `${(1 / ratio).toFixed(2)}× faster` : `${ratio.toFixed(2)}× slower`);

function table(rows: Row[]): string {
  const byThreads = new Map<number, Map<string, Row>>();
  for (const r of rows) {
    if (!byThreads.has(r.threads)) byThreads.set(r.threads, new Map());
    byThreads.get(r.threads)!.set(r.case, r);
  }
  const threads = [...byThreads.keys()].sort((a, b) => a - b);
  const cases = [...new Set(rows.map((r) => r.case))];
  const head = threads.flatMap((t) => [
    `ticketlab ms (${t}t)`,
    `PyTorch best ms (${t}t)`,
    `PyTorch default ms (${t}t)`,
    `vs best (${t}t)`,
  ]);
  const lines = [`| case | ${head.join(' | ')} |`, `|---|${head.map(() => '---:').join('|')}|`];
  for (const c of cases) {
    const cells = threads.flatMap((t) => {
      const r = byThreads.get(t)!.get(c);
      return r
        ? [fmt(r.ticketlab_ms), fmt(r.pytorch_ms), fmt(r.pytorch_default_ms), speed(r.ratio)]
        : ['—', '—', '—', '—'];
    });
    lines.push(`| ${LABELS[c] ?? c} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node dist/bench/readme-table.js RESULTS.jsonl…');
    process.exit(1);
  }
  const rows = files.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Row),
  );
  const machines = [
    ...new Set(
      rows.map(
        (r) =>
          `${r.machine}, ${r.cpu_flags ?? 'flags unknown'}${r.openblas_coretype ? `, ticketlab's OpenBLAS core type ${r.openblas_coretype}` : ''}`,
      ),
    ),
  ];
  const dates = [...new Set(rows.map((r) => r.date).filter(Boolean))].sort();
  const imp = rows.filter((r) => r.slowest_level_vs_level0 !== undefined);
  const peaked = rows.filter((r) => r.share_of_peak !== undefined && r.pytorch_share_of_peak !== undefined);
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const body = [
    `Measured on ${machines.join('; ')}${dates.length ? `, ${dates.join(' to ')}` : ''}, from ${files.map((f) => `\`${path.basename(f)}\``).join(', ')}.`,
    '',
    table(rows),
    ...(imp.length
      ? [
          '',
          `Slowest IMP level against the dense level 0 of the same run: ${imp.map((r) => `${r.slowest_level_vs_level0}× (${r.threads}t)`).join(', ')}.`,
        ]
      : []),
    ...(peaked.length
      ? [
          '',
          `Share of the cores' FMA peak (${[...new Set(peaked.map((r) => r.peak_gflops_per_core))].join(', ')} GFLOPS per core, measured by the bench), ticketlab against PyTorch's best: ${peaked.map((r) => `${LABELS[r.case]?.split(' (')[0] ?? r.case} ${pct(r.share_of_peak!)} vs ${pct(r.pytorch_share_of_peak!)} (${r.threads}t)`).join('; ')}.`,
        ]
      : []),
  ].join('\n');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const readme = path.resolve(here, '..', '..', 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${start} … ${end} section`);
    process.exit(1);
  }
  const tmp = `${readme}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
  fs.renameSync(tmp, readme);
  console.log(`README.md: benchmark table from ${rows.length} rows`);
}

main();
