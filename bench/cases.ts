// Benchmark cases. Step cases time one training step on real batches (MNIST, drawn by the training loop's own
// sampler and gathered by its own data pipeline); run cases time a whole job. Each is mirrored by the PyTorch
// reference (pytorch_ref.py for steps, pytorch_imp.py for the IMP run), which trains on the same data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import * as ops from '../src/engine/ops/index.js';
import { Conv2d } from '../src/nn/layers/conv.js';
import { Linear } from '../src/nn/layers/linear.js';
import { Adam } from '../src/nn/optim/adam.js';
import { initializeModel } from '../src/nn/reset.js';
import { Module } from '../src/nn/module.js';
import { chooseKernels, type KernelChoice } from '../src/nn/dispatch.js';
import { createModel } from '../src/models/registry.js';
import type { Model } from '../src/models/model.js';
import { defaultMnistDir, loadMnist, MNIST_MEAN, MNIST_STD } from '../src/data/mnist.js';
import { ImageDataset } from '../src/data/dataset.js';
import { BatchSampler } from '../src/data/sampler.js';
import type { Dataset } from '../src/data/types.js';
import { trainStep } from '../src/training/step.js';
import { crossEntropy } from '../src/training/loss.js';
import { runLottery } from '../src/lottery/runner.js';
import { lotteryDefaults } from '../src/hparams/defaults.js';

export interface StepCase {
  kind: 'step';
  name: string;
  /** Steps per timed repeat. */
  steps: number;
  /** Arguments of the PyTorch script after its name. */
  pytorch: string[];
  /** The PyTorch script in bench/ (default pytorch_ref.py). */
  script?: string;
  /**
   * Floating-point operations of one step's forward and backward passes (2 per multiply-add, the optimizer left
   * out), where both sides do the same arithmetic: the bench reports each side's rate against the core's FMA peak.
   */
  flops?: number;
  setup(): { step: () => void; info?: Record<string, unknown> };
}

export interface RunCase {
  kind: 'run';
  name: string;
  /** Script (in bench/) and its arguments. */
  pytorch: [string, ...string[]];
  run(): Promise<{ seconds: number; info?: Record<string, unknown> }>;
}

export type BenchCase = StepCase | RunCase;

/** One training step of the real loop (sampler, batch gather, loss, backward, Adam) on `data`. */
function stepOf(model: Module, lr: number, data: Dataset, batchSize: number): () => void {
  const s = {
    model,
    optimizer: new Adam(model.parameters(), { lr }),
    data,
    sampler: new BatchSampler(data.size, batchSize, 0),
    loss: crossEntropy,
  };
  let step = 0;
  return () => void trainStep(s, step++);
}

let mnist: ImageDataset | null = null;
const mnistTrain = () => (mnist ??= loadMnist().train);

/** MNIST padded to 32x32 and repeated on 3 channels: real images in the shape of CIFAR-10's (as pytorch_ref.py). */
function mnistRgb32(): ImageDataset {
  const src = mnistTrain();
  const images = new Uint8Array(src.size * 3 * 32 * 32);
  for (let i = 0; i < src.size; i++)
    for (let c = 0; c < 3; c++)
      for (let r = 0; r < 28; r++) {
        const from = src.images.subarray(i * 784 + r * 28, i * 784 + (r + 1) * 28);
        images.set(from, ((i * 3 + c) * 32 + r + 2) * 32 + 2);
      }
  return new ImageDataset({
    images,
    labels: src.labels,
    shape: [3, 32, 32],
    numClasses: 10,
    mean: MNIST_MEAN,
    std: MNIST_STD,
    name: 'mnist-rgb32',
  });
}

class ConvBlock extends Module {
  conv1 = this.addModule('conv1', new Conv2d(3, 64, 3, { padding: 1 }));
  conv2 = this.addModule('conv2', new Conv2d(64, 64, 3, { padding: 1 }));
  fc = this.addModule('fc', new Linear(64 * 16 * 16, 10));
  forward(x: Tensor): Tensor {
    const h = ops.maxPool2d(ops.relu(this.conv2.forward(ops.relu(this.conv1.forward(x)))), 2);
    return this.fc.forward(ops.flatten(h));
  }
}

/** LeNet-300-100 with random masks at IMP's layerwise densities (fc d, output d^(log 0.9 / log 0.8)). */
export function lenetWithRandomMasks(density: number): Model {
  const m = createModel('mnist_lenet_300_100');
  initializeModel(m, 0, m.defaultInit);
  if (density < 1) {
    const rng = new Rng(0, 'bench-mask');
    for (const [name, p] of m.prunableParameters()) {
      const d = name === m.outputWeight ? density ** (Math.log(0.9) / Math.log(0.8)) : density;
      p.setMask(Float32Array.from({ length: p.size }, () => (rng.uniform() < d ? 1 : 0)));
    }
  }
  return m;
}

/** The same, its kernels chosen by the dispatcher, and a step of the real loop on MNIST. */
function maskedLenet(density: number): { step: () => void; kernels: KernelChoice[] } {
  const m = lenetWithRandomMasks(density);
  const kernels = chooseKernels(m, 60, 'auto');
  return { step: stepOf(m, 1.2e-3, mnistTrain(), 60), kernels };
}

/**
 * Multiply-add work of a training step of fully connected layers [in, out...] at batch n, times 2: forward, weight
 * gradient, and the input gradient of every layer but the first unless its input needs one (data needs none).
 */
function mlpFlops(n: number, widths: number[], firstInputGrad = false): number {
  let total = 0;
  for (let i = 0; i + 1 < widths.length; i++)
    total += 2 * n * widths[i]! * widths[i + 1]! * (i === 0 && !firstInputGrad ? 2 : 3);
  return total;
}

/** The same for a stride-1 'same' convolution on h×w maps (first: no input gradient). */
function convFlops(n: number, c: number, o: number, k: number, h: number, w: number, first: boolean): number {
  return 2 * n * h * w * o * c * k * k * (first ? 2 : 3);
}

/** The LTH paper's layerwise IMP densities of LeNet's fc layers: 0.8^n for n = 0, 3, 7, 11, 15, 19. */
const DENSITIES = [1, 0.512, 0.21, 0.086, 0.035, 0.014];

export const CASES: BenchCase[] = [
  ...DENSITIES.map((d): StepCase => ({
    kind: 'step',
    name: d === 1 ? 'lenet_300_100_step' : `lenet_300_100_step_d${(d * 100).toFixed(1)}`,
    steps: 300,
    pytorch: ['lenet_300_100_step', defaultMnistDir(), '--density', String(d)],
    // PyTorch does the dense work at every density (weights times masks); only the dense case is the same work.
    ...(d === 1 ? { flops: mlpFlops(60, [784, 300, 100, 10]) } : {}),
    setup() {
      const { step, kernels } = maskedLenet(d);
      return { step, info: { density: d, kernels: kernels.map((k) => `${k.layer}:${k.kernel}`).join(',') } };
    },
  })),
  {
    kind: 'step',
    name: 'conv2_block_step',
    steps: 5,
    pytorch: ['conv2_block_step', defaultMnistDir()],
    flops:
      convFlops(60, 3, 64, 3, 32, 32, true) +
      convFlops(60, 64, 64, 3, 32, 32, false) +
      mlpFlops(60, [64 * 16 * 16, 10], true),
    setup() {
      const m = new ConvBlock();
      initializeModel(m, 0, 'kaiming_normal');
      return { step: stepOf(m, 2e-4, mnistRgb32(), 60) };
    },
  },
  {
    kind: 'run',
    name: 'lenet_imp_10x2000',
    pytorch: ['pytorch_imp.py', defaultMnistDir(), '--levels', '10', '--steps', '2000'],
    async run() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-imp-'));
      try {
        const h = lotteryDefaults('mnist_lenet_300_100');
        h.training.steps = '2000it';
        h.training.evalEvery = '2000it';
        h.dataset.validation = 0;
        const t0 = process.hrtime.bigint();
        const rows = await runLottery({
          hparams: h,
          levels: 9,
          replicate: 1,
          seed: 0,
          root,
          branches: [],
          checkpointEvery: 1_000_000,
        });
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        // No level may train slower than the dense level 0 of the same run: the dispatcher's choices are checked.
        const levelSeconds = rows.map((r) => +r.seconds.toFixed(2));
        return {
          seconds,
          info: {
            final_density: rows[rows.length - 1]!.density,
            accuracies: rows.map((r) => r.test_accuracy),
            level_train_seconds: levelSeconds,
            slowest_level_vs_level0: +(Math.max(...levelSeconds.slice(1)) / levelSeconds[0]!).toFixed(3),
          },
        };
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
];
