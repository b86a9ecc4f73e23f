// Chooses, per masked layer, the dense kernel (GEMM on the masked weight) or the sparse one (CSR on a packed
// weight), by timing both on the layer's real shape and mask: forward, backward (with the input gradient only
// where training computes one) and the optimizer's update, whose cost follows the storage (dense weights and
// state, or only the non-zeros). Done once per mask (per pruning level): below ~85% sparsity dense GEMM wins,
// above it the sparse kernels do (measured for SparseProp-style kernels), but the crossover depends on shape.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import { Rng } from '../engine/rng.js';
import { sum } from '../engine/ops/arith.js';
import { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { Conv2d } from './layers/conv.js';
import { Adam } from './optim/adam.js';
import type { Optimizer } from './optim/optimizer.js';
import type { Parameter } from './parameter.js';

export type KernelPolicy = 'auto' | 'dense' | 'sparse';
export const KERNEL_POLICIES: readonly KernelPolicy[] = ['auto', 'dense', 'sparse'];

export interface KernelChoice {
  layer: string;
  density: number;
  kernel: 'dense' | 'sparse';
  /** Measured forward + backward time per call (ms); null when not measured (forced policy). */
  dense_ms: number | null;
  sparse_ms: number | null;
}

type Switchable = Linear | Conv2d;

/** Linear and conv layers by dotted name (`fc1`, `blocks.0.conv1`). */
function switchableLayers(m: Module): [string, Switchable][] {
  return m
    .namedModules()
    .filter((e): e is [string, Switchable] => e[1] instanceof Linear || e[1] instanceof Conv2d)
    .map(([prefix, layer]) => [prefix.slice(0, -1), layer]);
}

/**
 * Input shape of a layer at this batch size, and whether training needs its input gradient (not for a layer fed
 * the model's input). Layers record both on every forward pass; one eval-mode pass of a single sample tells them.
 */
function inputOf(model: Module, layer: Switchable, batchSize: number): { shape: number[]; needsGrad: boolean } | null {
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

/**
 * Fastest time of one training step of the layer alone (forward, backward, optimizer update) on each kernel. The
 * two are timed alternately and the minimum kept, so a burst of load elsewhere on the machine cannot pick for
 * one side.
 */
function timeKernels(
  layer: Switchable,
  x: Tensor,
  reps: number,
  makeOptimizer: (params: Parameter[]) => Optimizer,
): { dense: number; sparse: number } {
  const proxy = proxyOf(layer);
  if (proxy) {
    // Both kernels' cost grows in proportion to the output rows: time a slice and scale.
    const t = timeKernels(proxy.layer, x, reps, makeOptimizer);
    return { dense: t.dense * proxy.scale, sparse: t.sparse * proxy.scale };
  }
  const params = layer.bias ? [layer.weight, layer.bias] : [layer.weight];
  // Timing trains the layer for a few steps: its weights are put back afterwards.
  const saved = params.map((p) => p.denseCopy());
  const optimizers = { dense: makeOptimizer(params), sparse: makeOptimizer(params) };
  const best = { dense: Infinity, sparse: Infinity };
  for (let r = -1; r < reps; r++) {
    for (const kernel of ['dense', 'sparse'] as const) {
      layer.setKernel(kernel);
      const opt = optimizers[kernel];
      const t0 = process.hrtime.bigint();
      opt.zeroGrad();
      backward(sum(layer.forward(x)));
      opt.step();
      // The first round warms up (builds the CSR structure, allocates optimizer state) and is not counted.
      if (r >= 0) best[kernel] = Math.min(best[kernel], Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  params.forEach((p, i) => {
    p.assignDense(saved[i]!);
    p.grad = null;
  });
  return best;
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

const cacheEntry = z.object({ kernel: z.enum(['dense', 'sparse']), dense_ms: z.number(), sparse_ms: z.number() });
type CacheEntry = z.infer<typeof cacheEntry>;

function cacheFile(): string {
  return process.env.TICKETLAB_KERNEL_CACHE ?? path.join(os.homedir(), '.ticketlab', 'kernel-choices.json');
}

/** The cached choices; a missing or damaged cache is empty (choices are measured again and the cache rewritten). */
function readCache(): Record<string, CacheEntry> {
  try {
    const r = z.record(z.string(), cacheEntry).safeParse(JSON.parse(fs.readFileSync(cacheFile(), 'utf8')));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

function writeCache(c: Record<string, CacheEntry>): void {
  try {
    fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
    const tmp = `${cacheFile()}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(c, null, 1));
    fs.renameSync(tmp, cacheFile());
  } catch {
    // An unwritable cache only costs re-measuring next time.
  }
}

/** Re-applies recorded choices (a resumed level keeps the kernels it started with). */
export function applyKernelChoices(model: Module, choices: readonly KernelChoice[]): void {
  const layers = new Map(switchableLayers(model));
  for (const c of choices) {
    const l = layers.get(c.layer);
    if (l) l.setKernel(c.kernel);
  }
}

/** Timing updates with Adam unless told otherwise (the papers' LeNet and ResNet recipes differ: SGD is cheaper). */
const defaultTimingOptimizer = (params: Parameter[]): Optimizer => new Adam(params, { lr: 1e-3 });

/**
 * Sets each masked Linear / stride-1 Conv2d layer's kernel (unmasked layers stay dense; sparse ones are packed);
 * returns the choices. `makeOptimizer` should build the optimizer training will use, so its update is timed too.
 */
export function chooseKernels(
  model: Module,
  batchSize: number,
  policy: KernelPolicy = 'auto',
  reps = 7,
  makeOptimizer: (params: Parameter[]) => Optimizer = defaultTimingOptimizer,
): KernelChoice[] {
  const choices: KernelChoice[] = [];
  const rng = new Rng(0, 'kernel-timing');
  for (const [name, layer] of switchableLayers(model)) {
    const mask = layer.weight.masked;
    const density = layer.weight.density();
    const capable = layer instanceof Linear || layer.sparseCapable;
    if (!mask || !capable || policy !== 'auto') {
      layer.setKernel(mask && capable && policy === 'sparse' ? 'sparse' : 'dense');
      choices.push({ layer: name, density, kernel: layer.kernel, dense_ms: null, sparse_ms: null });
      continue;
    }
    const input = inputOf(model, layer, batchSize);
    if (!input) {
      layer.setKernel('dense');
      choices.push({ layer: name, density, kernel: 'dense', dense_ms: null, sparse_ms: null });
      continue;
    }
    const { shape, needsGrad } = input;
    // Dense and sparse kernels round differently, so the choice is cached per machine: the same layer, input,
    // batch size, number of non-zeros and optimizer always get the same kernel, keeping reruns and resumed runs
    // bit-identical. The version prefix retires choices timed by older kernels.
    const probe = makeOptimizer([layer.weight]).constructor.name;
    const kind = layer instanceof Linear ? 'linear' : 'conv';
    const nnz = layer.weight.active?.length ?? layer.weight.size;
    const key = `v3:${kind}:${layer.weight.shape.join('x')}/in${shape.join('x')}${needsGrad ? '' : '/nodx'}/nnz${nnz}/${probe}`;
    const cache = readCache();
    let entry = cache[key];
    if (!entry) {
      const x = new Tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape, needsGrad);
      const { dense: denseMs, sparse: sparseMs } = timeKernels(layer, x, reps, makeOptimizer);
      entry = {
        kernel: sparseMs < denseMs ? 'sparse' : 'dense',
        dense_ms: +denseMs.toFixed(4),
        sparse_ms: +sparseMs.toFixed(4),
      };
      writeCache({ ...readCache(), [key]: entry });
    }
    layer.setKernel(entry.kernel);
    choices.push({ layer: name, density, ...entry });
  }
  return choices;
}
