// `npm run bench`: times each case in ticketlab and in the PyTorch reference (a child python process, threads
// pinned equally on both sides, same OpenBLAS core type) and prints one JSON line per case.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Command } from 'commander';
import { native } from '../src/engine/native.js';
import { CASES, type BenchCase } from './cases.js';

const PYTHON = process.env.TICKETLAB_BENCH_PYTHON ?? '/usr/bin/python3';
const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/; the python script stays in the source tree.
const script = path.resolve(here, '..', '..', 'bench', 'pytorch_ref.py');

function timeTicketlab(c: BenchCase, warmup: number, repeats: number): number {
  const step = c.setup();
  for (let i = 0; i < warmup; i++) step();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < c.steps; i++) step();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6 / c.steps);
  }
  return best;
}

function timePytorch(c: BenchCase, threads: number, warmup: number, repeats: number): { ms: number; torch: string } {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const r = spawnSync(PYTHON, [script, c.pytorchCase, '--threads', String(threads), '--steps', String(c.steps), '--warmup', String(warmup), '--repeats', String(repeats)], { env, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stdout + r.stderr).trim().split('\n').pop();
    throw new Error(`PyTorch reference failed (${why}). Install it with: sudo apt-get install -y python3-torch libopenblas0-pthread`);
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number; torch: string };
  return { ms: out.ms_per_step, torch: out.torch };
}

function checkPytorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.error(`PyTorch is missing (${PYTHON} -c 'import torch' failed). Install the reference with: sudo apt-get install -y python3-torch libopenblas0-pthread`);
    process.exit(1);
  }
}

const program = new Command('bench')
  .option('--threads <n>', 'threads on both sides', '1')
  .option('--case <name>', 'run only cases whose name contains this')
  .option('--repeats <n>', 'timed repeats (best is kept)', '3')
  .option('--warmup <n>', 'untimed warm-up steps', '10')
  .parse();
const opts = program.opts<{ threads: string; case?: string; repeats: string; warmup: string }>();
const threads = Number(opts.threads);
const repeats = Number(opts.repeats);
const warmup = Number(opts.warmup);
checkPytorch();
native.setThreads(threads);
const info = native.info();
console.error(`# gemm=${info.gemm} (${info.blasConfig}), threads=${threads}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'auto'} on both sides`);
for (const c of CASES.filter((c) => !opts.case || c.name.includes(opts.case))) {
  const ticketlab = timeTicketlab(c, warmup, repeats);
  const torch = timePytorch(c, threads, warmup, repeats);
  console.log(JSON.stringify({
    case: c.name,
    ticketlab_ms: +ticketlab.toFixed(3),
    pytorch_ms: +torch.ms.toFixed(3),
    ratio: +(ticketlab / torch.ms).toFixed(3),
    threads,
    gemm: info.gemm,
    torch: torch.torch,
  }));
}
