// Chooses, per masked layer, the dense kernel (GEMM on the masked weight) or the sparse one (CSR on a packed
// weight), by timing both on the layer's real shape and mask: forward, backward (with the input gradient only
// where training computes one) and the optimizer's update, whose cost follows the storage (dense weights and
// state, or only the non-zeros). Done once per mask (per pruning level): below ~85% sparsity dense GEMM wins,
// above it the sparse kernels do (measured for SparseProp-style kernels), but the crossover depends on shape and
// machine. A layer timed alone does not see everything a real step costs, so when any layer picks sparse the whole
// model's step is timed too, against all-dense, and the layers' picks stand only if that step is faster.
import crypto from 'node:crypto';
import { Tensor } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import type { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { Adam } from './optim/adam.js';
import type { Optimizer } from './optim/optimizer.js';
import type { Parameter } from './parameter.js';
import { inputOf, switchableLayers, timeKernels, timeWholeSteps, type Switchable } from './kernel-timing.js';
import {
  buildKey,
  contradicts,
  layerEntryOf,
  readCache,
  stepEntryOf,
  writeEntries,
  type LayerEntry,
  type StepEntry,
} from './kernel-cache.js';

export type KernelPolicy = 'auto' | 'dense' | 'sparse';
export const KERNEL_POLICIES: readonly KernelPolicy[] = ['auto', 'dense', 'sparse'];

export interface KernelChoice {
  layer: string;
  density: number;
  kernel: 'dense' | 'sparse';
  /** Fastest measured training step of the layer alone (ms) on each kernel; null when not measured (forced policy). */
  dense_ms: number | null;
  sparse_ms: number | null;
  /** Median of the same timings: how far the fastest can be trusted. */
  dense_median_ms?: number | null;
  sparse_median_ms?: number | null;
  /** Why the kernel differs from the faster of the two, when it does (the whole step ran faster all-dense). */
  note?: string;
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

/** The cached or freshly timed choice of one layer at this input. */
function layerChoice(
  layer: Switchable,
  key: string,
  shape: number[],
  needsGrad: boolean,
  reps: number,
  makeOptimizer: (params: Parameter[]) => Optimizer,
): LayerEntry {
  const cache = readCache();
  const cached = layerEntryOf(cache[key]);
  if (cached && !contradicts(cache, key, cached)) return cached;
  const rng = new Rng(0, 'kernel-timing');
  const x = new Tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape, needsGrad);
  const t = timeKernels(layer, x, reps, makeOptimizer);
  const entry: LayerEntry = {
    kind: 'layer',
    kernel: t.sparse.min < t.dense.min ? 'sparse' : 'dense',
    dense_ms: +t.dense.min.toFixed(4),
    sparse_ms: +t.sparse.min.toFixed(4),
    dense_median_ms: +t.dense.median.toFixed(4),
    sparse_median_ms: +t.sparse.median.toFixed(4),
    ...(cached ? { retimed: true } : {}),
  };
  writeEntries({ [key]: entry });
  return entry;
}

/**
 * Whether the layers' sparse picks make the whole step faster than all-dense (cached under the layers' keys), or
 * null when the model cannot be timed whole (it does not declare its input shape).
 */
function stepCheck(
  model: Module,
  batchSize: number,
  picked: [Switchable, string, KernelChoice][],
  makeOptimizer: (params: Parameter[]) => Optimizer,
): StepEntry | null {
  const digest = crypto
    .createHash('sha256')
    .update(picked.map(([, k]) => k).join('|'))
    .digest('hex')
    .slice(0, 16);
  const key = `${buildKey()}:step:${digest}`;
  const cached = stepEntryOf(readCache()[key]);
  if (cached) return cached;
  const layers = new Map(picked.map(([l]): [Switchable, 'dense' | 'sparse'] => [l, 'sparse']));
  const dense = new Map(picked.map(([l]): [Switchable, 'dense' | 'sparse'] => [l, 'dense']));
  const t = timeWholeSteps(model, batchSize, [layers, dense], makeOptimizer);
  for (const [l] of picked) l.setKernel('sparse');
  if (!t) return null;
  const entry: StepEntry = {
    kind: 'step',
    use: t[0]!.min < t[1]!.min ? 'layers' : 'dense',
    layers_ms: +t[0]!.min.toFixed(4),
    dense_ms: +t[1]!.min.toFixed(4),
  };
  writeEntries({ [key]: entry });
  return entry;
}

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
  // Layers that picked sparse: the layer, its cache key and its reported choice.
  const picked: [Switchable, string, KernelChoice][] = [];
  for (const [name, layer] of switchableLayers(model)) {
    const mask = layer.weight.masked;
    const density = layer.weight.density();
    const capable = layer instanceof Linear || layer.sparseCapable;
    const input = mask && capable && policy === 'auto' ? inputOf(model, layer, batchSize) : null;
    if (!input) {
      layer.setKernel(mask && capable && policy === 'sparse' ? 'sparse' : 'dense');
      choices.push({ layer: name, density, kernel: layer.kernel, dense_ms: null, sparse_ms: null });
      continue;
    }
    const { shape, needsGrad } = input;
    const probe = makeOptimizer([layer.weight]).constructor.name;
    const kind = layer instanceof Linear ? 'linear' : 'conv';
    const nnz = layer.weight.active?.length ?? layer.weight.size;
    const key = `${buildKey()}:${kind}:${layer.weight.shape.join('x')}/in${shape.join('x')}${needsGrad ? '' : '/nodx'}/nnz${nnz}/${probe}`;
    const e = layerChoice(layer, key, shape, needsGrad, reps, makeOptimizer);
    layer.setKernel(e.kernel);
    const choice: KernelChoice = {
      layer: name,
      density,
      kernel: e.kernel,
      dense_ms: e.dense_ms,
      sparse_ms: e.sparse_ms,
      dense_median_ms: e.dense_median_ms,
      sparse_median_ms: e.sparse_median_ms,
    };
    choices.push(choice);
    if (e.kernel === 'sparse') picked.push([layer, key, choice]);
  }
  if (picked.length === 0) return choices;
  const check = stepCheck(model, batchSize, picked, makeOptimizer);
  if (check?.use !== 'dense') return choices;
  const note = `whole step faster all-dense (${check.dense_ms} ms against ${check.layers_ms} ms)`;
  for (const [layer, , c] of picked) {
    layer.setKernel('dense');
    c.kernel = 'dense';
    c.note = note;
  }
  return choices;
}
