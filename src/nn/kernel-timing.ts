// How long one training step takes on each kernel: a masked layer alone (dense GEMM on the masked weight against
// CSR on a packed weight), and the whole model under a set of choices. nn/dispatch.ts decides from these.
import { Tensor } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import { sum } from '../engine/ops/arith.js';
import { featureMajor } from '../engine/ops/layout.js';
import { flatten } from '../engine/ops/shape.js';
import { backward, noGrad } from '../engine/autograd.js';
import type { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { Conv2d } from './layers/conv.js';
import type { Optimizer } from './optim/optimizer.js';
import type { Parameter } from './parameter.js';

export type Switchable = Linear | Conv2d;

/** Linear and conv layers by dotted name (`fc1`, `blocks.0.conv1`). */
export function switchableLayers(m: Module): [string, Switchable][] {
  return m
    .namedModules()
    .filter((e): e is [string, Switchable] => e[1] instanceof Linear || e[1] instanceof Conv2d)
    .map(([prefix, layer]) => [prefix.slice(0, -1), layer]);
}

/**
 * Input shape of a layer at this batch size, and whether training needs its input gradient (not for a layer fed
 * the model's input). Layers record both on every forward pass; one eval-mode pass of a single sample tells them.
 */
export function inputOf(
  model: Module,
  layer: Switchable,
  batchSize: number,
): { shape: number[]; needsGrad: boolean } | null {
  if (!layer.lastInputShape || layer.lastInputNeedsGrad === null) {
    const shape = (model as unknown as { inputShape?: readonly number[] }).inputShape;
    if (shape) {
      const wasTraining = model.training;
      model.eval();
      try {
        model.forward(new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), [1, ...shape]));
      } finally {
        model.train(wasTraining);
      }
    }
  }
  if (layer instanceof Linear) {
    // A sequence model feeds [N, S, in]: every position of every sample is a row of the layer.
    const last = layer.lastInputShape;
    const perSample = last && last.length > 2 ? last.slice(1, -1).reduce((a, b) => a * b, 1) : 1;
    return { shape: [batchSize * perSample, layer.inFeatures], needsGrad: layer.lastInputNeedsGrad ?? true };
  }
  return layer.lastInputShape
    ? { shape: [batchSize, ...layer.lastInputShape.slice(1)], needsGrad: layer.lastInputNeedsGrad ?? true }
    : null;
}

/** A model that gathers its input batches in the layout its first layer takes (models/model.ts). */
interface LayoutAware {
  inputLayout(): 'batch' | 'feature';
}

function layoutAware(model: Module): LayoutAware | null {
  const m = model as Module & Partial<LayoutAware>;
  return typeof m.inputLayout === 'function' ? (m as Module & LayoutAware) : null;
}

/**
 * Whether training feeds this layer feature-major batches when it runs sparse (LeNet's fc1: the loop gathers
 * images straight into that layout), so its sparse kernel is timed without the transpose it never pays.
 */
export function gathersFeatureMajor(model: Module, layer: Switchable): boolean {
  const m = layoutAware(model);
  if (!m || !(layer instanceof Linear) || !layer.weight.masked) return false;
  const was = layer.kernel;
  layer.setKernel('sparse');
  try {
    return m.inputLayout() === 'feature';
  } finally {
    layer.setKernel(was);
  }
}

/** Timings of one kernel: the fastest step and the median, so a stored choice says how sure it was. */
export interface KernelTiming {
  min: number;
  median: number;
}

function summarize(samples: number[]): KernelTiming {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
}

/**
 * Times one training step of the layer alone (forward, backward, optimizer update) on each kernel. Each kernel is
 * timed in a block of consecutive steps after two warm-up steps, as training runs it: switching kernels packs or
 * unpacks the weight and reallocates its gradient and optimizer state, and a step right after a switch pays for that
 * fresh memory (page faults, cold caches), which once made the masked dense path time at twice its real cost. Blocks
 * alternate between the kernels twice, so a burst of load elsewhere on the machine cannot pick for one side.
 */
export function timeKernels(
  layer: Switchable,
  x: Tensor,
  reps: number,
  makeOptimizer: (params: Parameter[]) => Optimizer,
  /** The sparse kernel gets its input feature-major, as training gathers it (see gathersFeatureMajor). */
  sparseInputFeatureMajor = false,
): { dense: KernelTiming; sparse: KernelTiming } {
  const proxy = proxyOf(layer);
  if (proxy) {
    // Both kernels' cost grows in proportion to the output rows: time a slice and scale.
    const t = timeKernels(proxy.layer, x, reps, makeOptimizer, sparseInputFeatureMajor);
    const scale = (k: KernelTiming) => ({ min: k.min * proxy.scale, median: k.median * proxy.scale });
    return { dense: scale(t.dense), sparse: scale(t.sparse) };
  }
  const params = layer.bias ? [layer.weight, layer.bias] : [layer.weight];
  // Timing trains the layer for a few steps: its weights are put back afterwards.
  const saved = params.map((p) => p.denseCopy());
  const samples = { dense: [] as number[], sparse: [] as number[] };
  const inputs = { dense: x, sparse: sparseInputFeatureMajor ? noGrad(() => featureMajor(x)) : x };
  for (let round = 0; round < 2; round++) {
    for (const kernel of ['dense', 'sparse'] as const) {
      layer.setKernel(kernel);
      const opt = makeOptimizer(params);
      for (let r = -2; r < reps; r++) {
        const t0 = process.hrtime.bigint();
        opt.zeroGrad();
        backward(sum(layer.forward(inputs[kernel])));
        opt.step();
        if (r >= 0) samples[kernel].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  }
  params.forEach((p, i) => {
    p.assignDense(saved[i]!);
    p.grad = null;
  });
  return { dense: summarize(samples.dense), sparse: summarize(samples.sparse) };
}

/** Weights above which a layer is timed through a slice of its output rows. */
const PROXY_WEIGHTS = 1 << 20;

/**
 * A layer made of the first output rows (channels) of a big one, with their weights and mask, or null when the
 * layer is small enough to time as it is. Timing the dense kernel allocates a dense gradient and dense optimizer
 * state; for a layer of tens of millions of weights that is hundreds of megabytes a sparse ticket never needs.
 */
function proxyOf(layer: Switchable): { layer: Switchable; scale: number } | null {
  const w = layer.weight;
  if (w.size <= PROXY_WEIGHTS || !w.masked) return null;
  const rowSize = w.size / w.shape[0]!;
  const rows = Math.max(1, Math.floor(PROXY_WEIGHTS / rowSize));
  if (rows >= w.shape[0]!) return null;
  const proxy =
    layer instanceof Linear
      ? new Linear(layer.inFeatures, rows, layer.bias !== null)
      : new Conv2d(layer.inChannels, rows, layer.kernelSize, {
          stride: layer.stride,
          padding: layer.padding,
          bias: layer.bias !== null,
        });
  const n = rows * rowSize;
  const values = w.packed ? w.denseCopy() : w.data;
  proxy.weight.data.set(values.subarray(0, n));
  const mask = new Float32Array(n); // from the positions, so a packed weight need not rebuild its dense mask
  for (const i of w.active!) {
    if (i >= n) break;
    mask[i] = 1;
  }
  proxy.weight.setMask(mask);
  if (layer.bias && proxy.bias) proxy.bias.data.set(layer.bias.storage.subarray(0, rows));
  return { layer: proxy, scale: w.shape[0]! / rows };
}

/** Model input of a batch, for models that declare their input shape (image models); null otherwise. */
function modelInput(model: Module, batchSize: number): Tensor | null {
  const shape = (model as unknown as { inputShape?: readonly number[] }).inputShape;
  if (!shape) return null;
  const size = batchSize * shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Rng(0, 'kernel-timing').fillNormal(new Float32Array(size)), [batchSize, ...shape]);
}

/**
 * Times whole training steps of the model (forward, backward of a summed output, the optimizer's update) under
 * each of `configs` (a kernel per switchable layer), alternating twice between them, and leaves the model's values
 * as they were and the kernels as the last config set them. Runs in eval mode, so dropout draws no random numbers
 * and batch-norm statistics stay put: timing must not change what training does next. Null when the model does not
 * declare its input shape.
 */
export function timeWholeSteps(
  model: Module,
  batchSize: number,
  configs: ReadonlyMap<Switchable, 'dense' | 'sparse'>[],
  makeOptimizer: (params: Parameter[]) => Optimizer,
  reps = 3,
): KernelTiming[] | null {
  const x = modelInput(model, batchSize);
  if (!x) return null;
  // The input as training gathers it under each config: feature-major where the first layer runs sparse.
  const flat = layoutAware(model) ? noGrad(() => featureMajor(flatten(x))) : null;
  const state = model.stateDict();
  const wasTraining = model.training;
  const samples: number[][] = configs.map(() => []);
  model.eval();
  try {
    for (let round = 0; round < 2; round++) {
      configs.forEach((config, c) => {
        for (const [layer, kernel] of config) layer.setKernel(kernel);
        const input = flat && layoutAware(model)!.inputLayout() === 'feature' ? flat : x;
        const opt = makeOptimizer(model.parameters());
        for (let r = -2; r < reps; r++) {
          const t0 = process.hrtime.bigint();
          opt.zeroGrad();
          backward(sum(model.forward(input)));
          opt.step();
          if (r >= 0) samples[c]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      });
    }
  } finally {
    model.loadStateDict(state);
    for (const p of model.parameters()) p.grad = null;
    model.train(wasTraining);
  }
  return samples.map(summarize);
}
