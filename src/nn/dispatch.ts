// Chooses, per masked layer, the dense kernel (GEMM on the masked weight) or the sparse one (CSR on a packed
// weight), by timing both on the layer's real shape and mask: forward, backward (with the input gradient only
// where training computes one) and the optimizer's update, whose cost follows the storage (dense weights and
// state, or only the non-zeros). Done once per mask (per pruning level): dense GEMM wins on dense enough masks, the
// sparse kernels on sparse ones, and the crossover depends on shape and machine (LeNet's fc1 at batch 60 on a
// 2-core AMD EPYC: between 50% and 65% density). A layer timed alone does not see everything a real step costs, so when any layer picks sparse the whole
// model's step is timed too, against all-dense and against keeping only the picks that gain most, and the fastest
// of these stands.
import crypto from 'node:crypto';
import { Tensor } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import type { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { Adam } from './optim/adam.js';
import type { Optimizer } from './optim/optimizer.js';
import type { Parameter } from './parameter.js';
import {
  gathersFeatureMajor,
  inputOf,
  switchableLayers,
  timeKernels,
  timeWholeSteps,
  type Switchable,
} from './kernel-timing.js';
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
  /** The choice's check on the run's own steps, against all-dense or close sparse calls (training/kernel-watch.ts). */
  real_steps?: string;
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
  featureInput: boolean,
): LayerEntry {
  const cache = readCache();
  const cached = layerEntryOf(cache[key]);
  if (cached && !contradicts(cache, key, cached)) return cached;
  const rng = new Rng(0, 'kernel-timing');
  const x = new Tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape, needsGrad);
  const t = timeKernels(layer, x, reps, makeOptimizer, featureInput);
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
 * Which of the layers' sparse picks make the whole step faster (cached under the layers' keys), or null when the
 * model cannot be timed whole (it does not declare its input shape). Candidates: every pick sparse, then the picks
 * with the smallest gains alone dropped one by one, and all dense. A layer timed alone can gain a little and still
 * cost the step more (a layout change between layers, caches shared with its neighbours): LeNet at 51% density
 * trained 16% faster with only fc1 sparse, and slower with all three layers sparse, on the 2-core AMD EPYC.
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
  const gain = (c: KernelChoice) => (c.dense_ms ?? 0) - (c.sparse_ms ?? 0);
  const byGain = [...picked].sort((a, b) => gain(b[2]) - gain(a[2]));
  const configs: Map<Switchable, 'dense' | 'sparse'>[] = [];
  for (let n = byGain.length; n >= 0; n--)
    configs.push(new Map(byGain.map(([l], i): [Switchable, 'dense' | 'sparse'] => [l, i < n ? 'sparse' : 'dense'])));
  const t = timeWholeSteps(model, batchSize, configs, makeOptimizer);
  for (const [l] of picked) l.setKernel('sparse');
  if (!t) return null;
  let best = 0;
  t.forEach((x, i) => {
    if (x.min < t[best]!.min) best = i;
  });
  const all = 0;
  const none = t.length - 1;
  const entry: StepEntry = {
    kind: 'step',
    use: best === all ? 'layers' : best === none ? 'dense' : 'some',
    ...(best !== all && best !== none ? { sparse: byGain.slice(0, none - best).map(([, k]) => k) } : {}),
    layers_ms: +t[all]!.min.toFixed(4),
    dense_ms: +t[none]!.min.toFixed(4),
    ...(best !== all && best !== none ? { some_ms: +t[best]!.min.toFixed(4) } : {}),
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
    const featureInput = gathersFeatureMajor(model, layer);
    const key = `${buildKey()}:${kind}:${layer.weight.shape.join('x')}/in${shape.join('x')}${needsGrad ? '' : '/nodx'}${featureInput ? '/fm' : ''}/nnz${nnz}/${probe}`;
    const e = layerChoice(layer, key, shape, needsGrad, reps, makeOptimizer, featureInput);
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
  if (!check || check.use === 'layers') return choices;
  const keep = new Set(check.use === 'some' ? check.sparse : []);
  const kept = picked.filter(([, k]) => keep.has(k)).map(([, , c]) => c.layer);
  const note =
    check.use === 'dense'
      ? `whole step faster all-dense (${check.dense_ms} ms against ${check.layers_ms} ms)`
      : `whole step faster with only ${kept.join(', ')} sparse (${check.some_ms} ms against ${check.layers_ms} ms with every pick sparse, ${check.dense_ms} ms all-dense)`;
  for (const [layer, k, c] of picked) {
    if (keep.has(k)) continue;
    layer.setKernel('dense');
    c.kernel = 'dense';
    c.note = note;
  }
  return choices;
}
