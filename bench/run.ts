// `npm run bench`: times each case in ticketlab and in the PyTorch reference (a child python process, threads
// pinned equally on both sides, same OpenBLAS core type) and prints one JSON line per case:
// {case, ticketlab_ms, pytorch_ms, ratio} with ratio = ticketlab ÷ PyTorch (below 1: ticketlab is faster).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Command } from 'commander';
import { native } from '../src/engine/native.js';
import { machineInfo } from '../src/report/runtime.js';
import { CASES, type RunCase, type StepCase } from './cases.js';
import { lmCases } from './lm-cases.js';
import { KS_CASES } from './ks-cases.js';

const PYTHON = process.env.TICKETLAB_BENCH_PYTHON ?? '/usr/bin/python3';
const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/; the python scripts stay in the source tree.
const benchDir = path.resolve(here, '..', '..', 'bench');
const INSTALL = 'Install the reference with: sudo apt-get install -y python3-torch libopenblas0-pthread';

function python(script: string, args: string[], threads: number): Record<string, unknown> {
  // OpenBLAS's workers otherwise busy-wait ~0.1 s after each call and fight PyTorch's OpenMP threads for the cores
  // (measured, Conv-2 block at 2 threads: 187 ms per step by default, 90-100 ms with 2^20 cycles): give the peer
  // its better setting.
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '20',
  };
  const r = spawnSync(PYTHON, [path.join(benchDir, script), ...args, '--threads', String(threads)], {
    env,
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stdout + r.stderr).trim().split('\n').pop();
    throw new Error(`PyTorch reference ${script} failed (${why}). ${INSTALL}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function timeStep(c: StepCase, warmup: number, repeats: number): { ms: number; info?: Record<string, unknown> } {
  const { step, info } = c.setup();
  for (let i = 0; i < warmup; i++) step();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < c.steps; i++) step();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6 / c.steps);
  }
  return { ms: best, info };
}

const program = new Command('bench')
  .option('--threads <n>', 'threads on both sides', '1')
  .option('--case <name>', 'run only cases whose name contains this')
  .option('--repeats <n>', 'timed repeats of step cases (best is kept)', '3')
  .option('--warmup <n>', 'untimed warm-up steps', '10')
  .parse();
const opts = program.opts<{ threads: string; case?: string; repeats: string; warmup: string }>();
const threads = Number(opts.threads);
const repeats = Number(opts.repeats);
const warmup = Number(opts.warmup);
const check = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
if (check.error || check.status !== 0) {
  console.error(`PyTorch is missing (${PYTHON} -c 'import torch' failed). ${INSTALL}`);
  process.exit(1);
}
native.setThreads(threads);
const info = native.info();
// Figures hold for the machine they ran on (the project's CPU changes between sessions): every line names it.
const machine = `${machineInfo().cpu} (${machineInfo().cores} cores)`;
console.error(
  `# ${machine}, gemm=${info.gemm} (${info.blasConfig}), threads=${threads}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'auto'} on both sides`,
);
try {
  const wanted = (name: string) => !opts.case || name.includes(opts.case);
  const lm = ['transformer_step', 'grok_mlp_epoch'].some(wanted) ? await lmCases() : [];
  for (const c of [...CASES, ...lm, ...KS_CASES].filter((c) => wanted(c.name))) {
    let ours: number;
    let theirs: number;
    let extra: Record<string, unknown> | undefined;
    if (c.kind === 'step') {
      const t = timeStep(c, warmup, repeats);
      ours = t.ms;
      extra = t.info;
      const [pyCase, ...pyArgs] = c.pytorch;
      const py = python(
        c.script ?? 'pytorch_ref.py',
        [pyCase!, ...pyArgs, '--steps', String(c.steps), '--warmup', String(warmup), '--repeats', String(repeats)],
        threads,
      );
      theirs = py.ms_per_step as number;
      // Scripts that time several PyTorch configurations report each; ms_per_step is the fastest.
      if (py.configurations) extra = { ...extra, pytorch_configurations: py.configurations };
    } else {
      const rc = c as RunCase;
      const t = await rc.run();
      ours = t.seconds * 1000;
      extra = t.info;
      const [script, ...args] = rc.pytorch;
      const py = python(script, args, threads);
      theirs = (py.seconds as number) * 1000;
      extra = { ...extra, pytorch_accuracies: py.accuracies, pytorch_final_density: py.final_density };
      if (py.selected !== undefined) extra = { ...extra, peer_selected: py.selected };
    }
    console.log(
      JSON.stringify({
        case: c.name,
        ticketlab_ms: +ours.toFixed(3),
        pytorch_ms: +theirs.toFixed(3),
        ratio: +(ours / theirs).toFixed(3),
        threads,
        gemm: info.gemm,
        machine,
        ...extra,
      }),
    );
  }
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
}
