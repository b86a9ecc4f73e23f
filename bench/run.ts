// `npm run bench`: times each case in ticketlab and in the PyTorch reference (child python processes, on the same
// real data, threads pinned on both sides) and prints one JSON line per case:
// {case, ticketlab_ms, pytorch_ms, ratio, pytorch_default_ms, ratio_default, pytorch_configurations, ...} with
// ratio = ticketlab ÷ PyTorch's fastest configuration (below 1: ticketlab is faster). PyTorch runs as users run it
// (`default`: its own OpenBLAS core type, subnormals not flushed, the same thread count) and in its best
// configuration: subnormals flushed, each OpenBLAS core type this CPU can run, and with --threads N every thread
// count up to N; the fastest is the one compared against.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
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

function python(
  script: string,
  args: string[],
  threads: number,
  coretype: string | null = null,
): Record<string, unknown> {
  // OpenBLAS's workers otherwise busy-wait ~0.1 s after each call and fight PyTorch's OpenMP threads for the cores
  // (measured, Conv-2 block at 2 threads: 187 ms per step by default, 90-100 ms with 2^20 cycles): give the peer
  // its better setting.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '20',
  };
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  else if (process.env.TICKETLAB_CORETYPE_CHOSEN) {
    // `auto`: OpenBLAS's own pick, not the core type ticketlab chose for itself when it loaded (native/index.cjs).
    delete env.OPENBLAS_CORETYPE;
    delete env.TICKETLAB_CORETYPE_CHOSEN;
  }
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

/** OpenBLAS core types worth trying on this CPU besides its own pick (`auto`): its x86 kernels by vector width. */
function coretypes(): string[] {
  if (process.arch !== 'x64') return ['auto'];
  let flags: string;
  try {
    flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ['auto'];
  }
  const out = ['auto'];
  if (/\bavx2\b/.test(flags)) out.push('Haswell');
  if (/AuthenticAMD/.test(flags) && /\bavx2\b/.test(flags)) out.push('Zen');
  if (/\bavx512f\b/.test(flags)) out.push('SkylakeX');
  return out;
}

interface PeerConfig {
  coretype: string;
  threads: number;
}

/** PyTorch configurations to time: as users run it first, then the candidates for its best. */
function peerConfigs(threads: number, bestCoretype: string | null): PeerConfig[] {
  const types = bestCoretype ? [...new Set(['auto', bestCoretype])] : coretypes();
  const out: PeerConfig[] = [];
  for (let t = threads; t >= 1; t--) for (const coretype of types) out.push({ coretype, threads: t });
  return out;
}

const configName = (c: PeerConfig, flush: boolean) => `${c.coretype}/t${c.threads}${flush ? '/flush_denormal' : ''}`;

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

/** The vector instruction sets the CPU reports (what the kernels and OpenBLAS can use). */
function cpuFlags(): string {
  try {
    const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    const want = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'amx_tile'];
    return want.filter((f) => flags.split(/\s+/).includes(f)).join(' ') || 'unknown';
  } catch {
    return 'unknown';
  }
}

const program = new Command('bench')
  .option('--threads <n>', 'threads on both sides', '1')
  .option('--case <name>', 'run only cases whose name contains this')
  .option('--repeats <n>', 'timed repeats of step cases (best is kept)', '3')
  .option('--warmup <n>', 'untimed warm-up steps', '10')
  .option('--out <file>', 'also append each result line to this file (bench/readme-table.ts reads it)')
  .parse();
const opts = program.opts<{ threads: string; case?: string; repeats: string; warmup: string; out?: string }>();
const threads = Number(opts.threads);
const repeats = Number(opts.repeats);
const warmup = Number(opts.warmup);
const check = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
if (check.error || check.status !== 0) {
  console.error(`PyTorch is missing (${PYTHON} -c 'import torch' failed). ${INSTALL}`);
  process.exit(1);
}
// One core's FMA ceiling: each step case with a known amount of work says how close both sides run to it (a target
// ratio below what the peer's share of peak allows is not reachable). A neighbour on the host can slow one
// measurement (a loaded phase once read 78 of 117 GFLOPS, which put shares above 100%), so the peak is the best of
// several: three now, and one more before every case that uses it.
let peak = 0;
const measurePeak = () => (peak = Math.max(peak, native.fmaPeakGflops()));
for (let i = 0; i < 3; i++) measurePeak();
native.setThreads(threads);
const info = native.info();
// Figures hold for the machine they ran on (the project's CPU changes between sessions): every line names it.
const machine = `${machineInfo().cpu} (${machineInfo().cores} cores)`;
console.error(
  `# ${machine}, gemm=${info.gemm} (${info.blasConfig}), threads=${threads}, kernels=${info.simd}, FMA peak ${peak.toFixed(1)} GFLOPS per core, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'auto'} for ticketlab, CPU flags: ${cpuFlags()}`,
);
let bestCoretype: string | null = null;
try {
  const wanted = (name: string) => !opts.case || name.includes(opts.case);
  const lm = ['transformer_step', 'grok_mlp_epoch'].some(wanted) ? await lmCases() : [];
  for (const c of [...CASES, ...lm, ...KS_CASES].filter((c) => wanted(c.name))) {
    let ours: number;
    let theirs: number;
    let theirsDefault: number;
    let extra: Record<string, unknown> | undefined;
    if (c.kind === 'step') {
      // Timed before and after the peer's runs (the faster stands), so a change in the host's load while the peer
      // runs its configurations does not count for one side only.
      const before = timeStep(c, warmup, repeats);
      extra = before.info;
      const [pyCase, ...pyArgs] = c.pytorch;
      const all: Record<string, number> = {};
      // Only the training-step reference has configurations to search; other scripts run as they are.
      const configs = c.script ? [{ coretype: 'auto', threads }] : peerConfigs(threads, bestCoretype);
      for (const pc of configs) {
        const py = python(
          c.script ?? 'pytorch_ref.py',
          [pyCase!, ...pyArgs, '--steps', String(c.steps), '--warmup', String(warmup), '--repeats', String(repeats)],
          pc.threads,
          pc.coretype === 'auto' ? null : pc.coretype,
        );
        const confs = (py.configurations ?? { default: py.ms_per_step }) as Record<string, number>;
        for (const [name, ms] of Object.entries(confs)) all[configName(pc, name === 'flush_denormal')] = ms;
      }
      theirs = Math.min(...Object.values(all));
      theirsDefault = all[configName({ coretype: 'auto', threads }, false)] ?? theirs;
      const after = timeStep(c, warmup, repeats);
      ours = Math.min(before.ms, after.ms);
      extra = { ...extra, ticketlab_runs_ms: [before.ms, after.ms].map((ms) => +ms.toFixed(3)) };
      // The core type that won the first case is the only one besides `auto` the later cases try.
      if (!bestCoretype && !c.script)
        bestCoretype = Object.entries(all)
          .sort((a, b) => a[1] - b[1])[0]![0]
          .split('/')[0]!;
      extra = { ...extra, pytorch_configurations: all };
      if (c.flops) measurePeak();
      if (c.flops && peak > 0) {
        // Rates in GFLOPS, and as a share of the peak of the cores in use.
        const rate = (ms: number) => c.flops! / ms / 1e6;
        extra = {
          ...extra,
          gflops: +rate(ours).toFixed(1),
          pytorch_gflops: +rate(theirs).toFixed(1),
          peak_gflops_per_core: +peak.toFixed(1),
          share_of_peak: +(rate(ours) / (peak * threads)).toFixed(3),
          pytorch_share_of_peak: +(rate(theirs) / (peak * threads)).toFixed(3),
        };
      }
    } else {
      const rc = c as RunCase;
      // Whole runs take seconds to minutes, long enough for the host's load to change under one of them: ours runs
      // before and after the peer's runs and the faster stands, as the peer's fastest configuration does.
      const first = await rc.run();
      const [script, ...args] = rc.pytorch;
      const all: Record<string, number> = {};
      let py: Record<string, unknown> = {};
      const runs: [PeerConfig, boolean][] = [
        [{ coretype: 'auto', threads }, false],
        ...peerConfigs(threads, bestCoretype ?? 'auto').map((pc): [PeerConfig, boolean] => [pc, true]),
      ];
      for (const [pc, flush] of runs) {
        const r = python(
          script,
          flush ? [...args, '--flush-denormal'] : args,
          pc.threads,
          pc.coretype === 'auto' ? null : pc.coretype,
        );
        all[configName(pc, flush)] = (r.seconds as number) * 1000;
        if (Object.keys(all).length === 1) py = r;
      }
      theirs = Math.min(...Object.values(all));
      theirsDefault = all[configName({ coretype: 'auto', threads }, false)]!;
      const second = await rc.run();
      const t = second.seconds < first.seconds ? second : first;
      ours = t.seconds * 1000;
      extra = {
        ...t.info,
        ticketlab_runs_ms: [first, second].map((r) => +(r.seconds * 1000).toFixed(1)),
        pytorch_configurations: all,
        pytorch_accuracies: py.accuracies,
        pytorch_final_density: py.final_density,
      };
      if (py.selected !== undefined) extra = { ...extra, peer_selected: py.selected };
    }
    const line = JSON.stringify({
      case: c.name,
      ticketlab_ms: +ours.toFixed(3),
      pytorch_ms: +theirs.toFixed(3),
      ratio: +(ours / theirs).toFixed(3),
      pytorch_default_ms: +theirsDefault.toFixed(3),
      ratio_default: +(ours / theirsDefault).toFixed(3),
      threads,
      gemm: info.gemm,
      kernels_simd: info.simd,
      machine,
      cpu_flags: cpuFlags(),
      openblas_coretype: process.env.OPENBLAS_CORETYPE ?? 'auto',
      blas_config: info.blasConfig,
      date: new Date().toISOString().slice(0, 10),
      ...extra,
    });
    console.log(line);
    if (opts.out) fs.appendFileSync(opts.out, `${line}\n`);
  }
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
}
