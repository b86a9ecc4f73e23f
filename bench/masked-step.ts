// `node dist/bench/masked-step.js`: what a masked level costs over the dense level 0 on the same dense kernels.
// Trains LeNet-300-100 unmasked and with a random mask at --density (dense kernels on both) in one process,
// alternating blocks of --steps steps (after 10 warm-up steps each), and prints one JSON line with the median
// step of each: side by side in one process, the host's drift falls on both alike.
import { Command } from 'commander';
import { native } from '../src/engine/native.js';
import { Rng } from '../src/engine/rng.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { Adam } from '../src/nn/optim/adam.js';
import { BatchSampler } from '../src/data/sampler.js';
import { loadMnist } from '../src/data/mnist.js';
import { trainStep, type StepInputs } from '../src/training/step.js';
import { crossEntropy } from '../src/training/loss.js';
import { median } from '../src/stats/median.js';

const program = new Command('bench-masked-step')
  .option('--density <d>', 'density of the masked model (its output layer keeps 0.9)', '0.8')
  .option('--steps <n>', 'timed steps per block', '100')
  .option('--blocks <n>', 'blocks per model', '16')
  .option('--threads <n>', 'kernel threads', '1')
  .parse();
const opts = program.opts<{ density: string; steps: string; blocks: string; threads: string }>();
native.setThreads(Number(opts.threads));
const density = Number(opts.density);
const data = loadMnist().train;

function inputs(d: number): StepInputs {
  const model = createModel('mnist_lenet_300_100');
  initializeModel(model, 0, model.defaultInit);
  if (d < 1) {
    const rng = new Rng(0, 'masked-step');
    for (const [name, p] of model.prunableParameters()) {
      const keep = name === model.outputWeight ? 0.9 : d;
      p.setMask(Float32Array.from({ length: p.size }, () => (rng.uniform() < keep ? 1 : 0)));
    }
  }
  const optimizer = new Adam(model.parameters(), { lr: 1.2e-3 });
  return { model, optimizer, data, sampler: new BatchSampler(data.size, 60, 0), loss: crossEntropy };
}

const runs = [
  { name: 'dense', s: inputs(1), step: 0, ms: [] as number[] },
  { name: `masked_${density}`, s: inputs(density), step: 0, ms: [] as number[] },
];
const steps = Number(opts.steps);
for (let b = 0; b < Number(opts.blocks); b++)
  for (const r of runs) {
    for (let i = 0; i < 10; i++) trainStep(r.s, r.step++);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) trainStep(r.s, r.step++);
    r.ms.push(Number(process.hrtime.bigint() - t0) / 1e6 / steps);
  }
const [dense, masked] = runs.map((r) => median(r.ms));
console.log(
  JSON.stringify({
    threads: Number(opts.threads),
    density,
    dense_step_ms: +dense!.toFixed(4),
    masked_step_ms: +masked!.toFixed(4),
    masked_vs_dense: +(masked! / dense!).toFixed(3),
  }),
);
