// `node dist/bench/boundary.js`: the cost of crossing into the native core, as nanoseconds per call of kernels on
// a handful of elements (the arithmetic is a few nanoseconds; the rest is reading and checking the arguments).
// Prints one JSON line: the best of --rounds rounds of --calls calls each, wall time and this process's CPU time
// (steadier on a shared machine). TICKETLAB_NATIVE_PATH picks another build of the addon to compare.
import { Command } from 'commander';
import { native } from '../src/engine/native.js';

const program = new Command('bench-boundary')
  .option('--calls <n>', 'calls per round', '200000')
  .option('--rounds <n>', 'timed rounds (the best is kept)', '15')
  .parse();
const opts = program.opts<{ calls: string; rounds: string }>();
const calls = Number(opts.calls);
const rounds = Number(opts.rounds);

const one = Float32Array.of(0.5),
  out1 = new Float32Array(1),
  out1b = new Float32Array(1);
const w = new Float32Array(8).fill(0.1),
  g = new Float32Array(8).fill(0.01),
  m = new Float32Array(8),
  v = new Float32Array(8);
const x = new Float32Array(4).fill(1),
  wl = new Float32Array(4).fill(1),
  b = new Float32Array(2),
  y = new Float32Array(4);

// Each case makes `calls` calls; the names say the kernel and its size.
const CASES: Record<string, () => void> = {
  reluForward_1: () => {
    for (let i = 0; i < calls; i++) native.reluForward(one, out1, 1);
  },
  add_1: () => {
    for (let i = 0; i < calls; i++) native.add(one, out1, out1b, 1);
  },
  sum_1: () => {
    for (let i = 0; i < calls; i++) native.sum(one, 1);
  },
  adamStep_8: () => {
    for (let i = 0; i < calls; i++)
      native.adamStep(w, g, m, v, null, 8, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1 + (i & 1023));
  },
  linearForward_2x2: () => {
    for (let i = 0; i < calls; i++) native.linearForward(x, wl, b, y, 2, 2, 2);
  },
};

const result: Record<string, number | string> = { addon: process.env.TICKETLAB_NATIVE_PATH ?? 'native/build/Release' };
for (const [name, run] of Object.entries(CASES)) {
  run(); // warm-up: JIT and first-touch of the arrays' backing stores
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / calls);
    cpu = Math.min(cpu, ((c.user + c.system) * 1000) / calls);
  }
  result[`${name}_ns`] = +wall.toFixed(1);
  result[`${name}_cpu_ns`] = +cpu.toFixed(1);
}
console.log(JSON.stringify(result));
