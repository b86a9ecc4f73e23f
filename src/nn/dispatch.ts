// Chooses, per masked layer, the dense kernel (GEMM on the masked weight) or the sparse one (CSR), by timing
// both on the layer's real shape and mask. Done once per mask (per pruning level): below ~85% sparsity dense
// GEMM wins, above it the sparse kernels do (../shared/reference/platform.md), but the crossover depends on shape.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import { Rng } from '../engine/rng.js';
import { sum } from '../engine/ops/arith.js';
import { Module } from './module.js';
import { Linear } from './layers/linear.js';
import { Conv2d } from './layers/conv.js';
import { noGrad } from '../engine/autograd.js';

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

function switchableLayers(m: Module, prefix = ''): [string, Switchable][] {
  const out: [string, Switchable][] = [];
  for (const [n, c] of m.children()) {
    const name = prefix ? `${prefix}.${n}` : n;
    if (c instanceof Linear || c instanceof Conv2d) out.push([name, c]);
    out.push(...switchableLayers(c, name));
  }
  return out;
}

/** Input shape of a layer at this batch size; conv layers need one forward pass of the model to know it. */
function inputShapeOf(model: Module, layer: Switchable, batchSize: number): number[] | null {
  if (layer instanceof Linear) return [batchSize, layer.inFeatures];
  if (!layer.lastInputShape) {
    const shape = (model as unknown as { inputShape?: readonly number[] }).inputShape;
    if (!shape) return null;
    const wasTraining = model.training;
    model.eval();
    noGrad(() => model.forward(new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), [1, ...shape])));
    model.train(wasTraining);
  }
  return layer.lastInputShape ? [batchSize, ...layer.lastInputShape.slice(1)] : null;
}

function timeLayer(layer: Switchable, x: Tensor, reps: number): number {
  const once = () => {
    const y = layer.forward(x);
    backward(sum(y));
  };
  once(); // warm-up (builds the CSR structure)
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    once();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface CacheEntry {
  kernel: 'dense' | 'sparse';
  dense_ms: number;
  sparse_ms: number;
}

function cacheFile(): string {
  return process.env.TICKETLAB_KERNEL_CACHE ?? path.join(os.homedir(), '.ticketlab', 'kernel-choices.json');
}

function readCache(): Record<string, CacheEntry> {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as Record<string, CacheEntry>;
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
    if (l) l.kernel = c.kernel;
  }
}

/** Sets each masked Linear / stride-1 Conv2d layer's kernel (unmasked layers stay dense); returns the choices. */
export function chooseKernels(model: Module, batchSize: number, policy: KernelPolicy = 'auto', reps = 5): KernelChoice[] {
  const choices: KernelChoice[] = [];
  const rng = new Rng(0, 'kernel-timing');
  for (const [name, layer] of switchableLayers(model)) {
    const mask = layer.weight.mask;
    const density = layer.weight.density();
    const capable = layer instanceof Linear || layer.sparseCapable;
    if (!mask || !capable || policy !== 'auto') {
      layer.kernel = mask && capable && policy === 'sparse' ? 'sparse' : 'dense';
      choices.push({ layer: name, density, kernel: layer.kernel, dense_ms: null, sparse_ms: null });
      continue;
    }
    const shape = inputShapeOf(model, layer, batchSize);
    if (!shape) {
      layer.kernel = 'dense';
      choices.push({ layer: name, density, kernel: 'dense', dense_ms: null, sparse_ms: null });
      continue;
    }
    // Dense and sparse kernels round differently, so the choice is cached per machine: the same layer, input,
    // batch size and number of non-zeros always get the same kernel, keeping reruns and resumed runs bit-identical.
    const key = `${layer instanceof Linear ? 'linear' : 'conv'}:${layer.weight.shape.join('x')}/in${shape.join('x')}/nnz${layer.weight.active?.length ?? layer.weight.size}`;
    const cache = readCache();
    let entry = cache[key];
    if (!entry) {
      const x = new Tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape, true);
      layer.kernel = 'dense';
      const denseMs = timeLayer(layer, x, reps);
      layer.kernel = 'sparse';
      const sparseMs = timeLayer(layer, x, reps);
      // Timing ran real backward passes: drop what they left in the gradients.
      for (const p of [layer.weight, layer.bias]) if (p) p.grad = null;
      entry = { kernel: sparseMs < denseMs ? 'sparse' : 'dense', dense_ms: +denseMs.toFixed(4), sparse_ms: +sparseMs.toFixed(4) };
      writeCache({ ...readCache(), [key]: entry });
    }
    layer.kernel = entry.kernel;
    choices.push({ layer: name, density, ...entry });
  }
  return choices;
}
