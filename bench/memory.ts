// `npm run bench:memory`: memory of training a wide MLP ticket (mnist_lenet_4096_4096, 20.0M weights) at IMP's
// layerwise densities, each in a fresh process, against PyTorch training the same ticket as masked dense weights
// (pytorch_memory.py). Prints one JSON line per density: peak RSS of both sides; ticketlab's typed arrays still
// live after training; and its training state by kind (nn/memory.ts). Peak RSS includes building the dense
// model before it is masked and packed. Not a test: RSS depends on the allocator and the machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Command } from 'commander';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward } from '../src/engine/autograd.js';
import * as ops from '../src/engine/ops/index.js';
import { Adam } from '../src/nn/optim/adam.js';
import { chooseKernels } from '../src/nn/dispatch.js';
import { initializeModel } from '../src/nn/reset.js';
import { trainingMemory } from '../src/nn/memory.js';
import { createModel } from '../src/models/registry.js';

const PYTHON = process.env.TICKETLAB_BENCH_PYTHON ?? '/usr/bin/python3';
const here = fileURLToPath(import.meta.url);
const benchDir = path.resolve(path.dirname(here), '..', '..', 'bench');
const MB = 1024 * 1024;

const program = new Command('bench-memory')
  .option('--model <name>', 'an MLP model name', 'mnist_lenet_4096_4096')
  .option('--densities <list>', "fc-layer densities (the output layer follows IMP's half rate)", '1,0.21,0.035,0.014')
  .option('--steps <n>', 'training steps per measurement', '20')
  .option('--child <density>', '(internal) measure one density in this process')
  .parse();
const opts = program.opts<{ model: string; densities: string; steps: string; child?: string }>();

async function measure(density: number): Promise<Record<string, unknown>> {
  const m = createModel(opts.model);
  initializeModel(m, 0, m.defaultInit);
  if (density < 1) {
    const rng = new Rng(0, 'bench-mask');
    for (const [name, p] of m.prunableParameters()) {
      const d = name === m.outputWeight ? density ** (Math.log(0.9) / Math.log(0.8)) : density;
      const mask = new Float32Array(p.size);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < d ? 1 : 0;
      p.setMask(mask);
    }
  }
  const opt = new Adam(m.parameters(), { lr: 1.2e-3 });
  const kernels = chooseKernels(m, 60, 'auto', 3, (ps) => new Adam(ps, { lr: 1.2e-3 }));
  const rng = new Rng(0, 'bench');
  const x = new Tensor(rng.fillNormal(new Float32Array(60 * 784)), [60, 1, 28, 28]);
  const y = Int32Array.from({ length: 60 }, () => rng.int(10));
  for (let s = 0; s < Number(opts.steps); s++) {
    opt.zeroGrad();
    backward(ops.softmaxCrossEntropy(m.forward(x), y));
    opt.step();
  }
  const mem = trainingMemory(m, opt);
  // Freed array buffers are released by a background sweeper after a collection: give it a moment.
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const live = process.memoryUsage();
  const state = mem.weights + mem.gradients + mem.optimizer;
  return {
    peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    // typed-array memory still referenced after training (collected garbage excluded)
    live_arrays_mb: +(live.arrayBuffers / MB).toFixed(1),
    state_mb: +(state / MB).toFixed(2),
    dense_state_mb: +(mem.denseEquivalent / MB).toFixed(2),
    masks_mb: +(mem.masks / MB).toFixed(2),
    indices_mb: +(mem.indices / MB).toFixed(2),
    kernels: kernels.map((k) => `${k.layer}:${k.kernel}`).join(','),
  };
}

if (opts.child !== undefined) {
  console.log(JSON.stringify(await measure(Number(opts.child))));
} else {
  for (const d of opts.densities.split(',').map(Number)) {
    const ours = spawnSync(
      process.execPath,
      ['--expose-gc', here, '--model', opts.model, '--steps', opts.steps, '--child', String(d)],
      { encoding: 'utf8' },
    );
    if (ours.status !== 0)
      throw new Error(`measurement at density ${d} failed: ${ours.stderr.trim().split('\n').pop()}`);
    const widths = opts.model.replace(/^mnist_lenet_/, '').split('_');
    const py = spawnSync(
      PYTHON,
      [path.join(benchDir, 'pytorch_memory.py'), '--widths', ...widths, '--density', String(d), '--steps', opts.steps],
      {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      },
    );
    const theirs =
      py.status === 0 ? (JSON.parse(py.stdout.trim().split('\n').pop()!) as { peak_rss_mb: number }) : null;
    const o = JSON.parse(ours.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    console.log(
      JSON.stringify({
        case: `memory_${opts.model}`,
        density: d,
        ...o,
        pytorch_peak_rss_mb: theirs?.peak_rss_mb ?? null,
      }),
    );
  }
}
