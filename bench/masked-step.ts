// `node dist/bench/masked-step.js`: what a masked level costs over the dense level 0 on the same dense kernels.
// Trains LeNet-300-100 unmasked and with random masks at --density (bench/cases.ts; dense kernels on both) in one
// process, alternating blocks of --steps steps (after 10 warm-up steps each), and prints one JSON line with the
// median step of each: side by side in one process, the host's drift falls on both alike.
import { Command, InvalidArgumentError } from 'commander';
import { native } from '../src/engine/native.js';
import { Adam } from '../src/nn/optim/adam.js';
import { BatchSampler } from '../src/data/sampler.js';
import { loadMnist } from '../src/data/mnist.js';
import { trainStep, type StepInputs } from '../src/training/step.js';
import { crossEntropy } from '../src/training/loss.js';
import { median } from '../src/stats/median.js';
import { finiteNumber, positiveInt } from '../src/util/flags.js';
import { lenetWithRandomMasks } from './cases.js';

/** A flag parser whose error commander prints as one line (and exits 1). */
const flag =
  <T>(parse: (v: string) => T) =>
  (v: string): T => {
    try {
      return parse(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };

const program = new Command('bench-masked-step')
  .option('--density <d>', 'density of the masked fc layers, in (0, 1)', flag(finiteNumber('--density')), 0.8)
  .option('--steps <n>', 'timed steps per block', flag(positiveInt('--steps', 100_000)), 100)
  .option('--blocks <n>', 'blocks per model', flag(positiveInt('--blocks', 10_000)), 16)
  .option('--threads <n>', 'kernel threads', flag(positiveInt('--threads', 256)), 1)
  .parse();
const opts = program.opts<{ density: number; steps: number; blocks: number; threads: number }>();
if (!(opts.density > 0 && opts.density < 1)) program.error(`--density must be in (0, 1), got ${opts.density}`);
native.setThreads(opts.threads);
const data = loadMnist().train;

function inputs(density: number): StepInputs {
  const model = lenetWithRandomMasks(density);
  const optimizer = new Adam(model.parameters(), { lr: 1.2e-3 });
  return { model, optimizer, data, sampler: new BatchSampler(data.size, 60, 0), loss: crossEntropy };
}

const runs = [
  { s: inputs(1), step: 0, ms: [] as number[] },
  { s: inputs(opts.density), step: 0, ms: [] as number[] },
];
for (let b = 0; b < opts.blocks; b++)
  for (const r of runs) {
    for (let i = 0; i < 10; i++) trainStep(r.s, r.step++);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opts.steps; i++) trainStep(r.s, r.step++);
    r.ms.push(Number(process.hrtime.bigint() - t0) / 1e6 / opts.steps);
  }
const [dense, masked] = runs.map((r) => median(r.ms));
console.log(
  JSON.stringify({
    threads: opts.threads,
    density: opts.density,
    dense_step_ms: +dense!.toFixed(4),
    masked_step_ms: +masked!.toFixed(4),
    masked_vs_dense: +(masked! / dense!).toFixed(3),
  }),
);
