// The layer structure of a model, read off the autograd graph of one forward pass: whether its prunable weights
// form a single chain (Linear / Conv2d layers with parameter-free ops and batch norms in between, as in LeNet,
// MLPs, Conv-N and VGG) and their order. A residual connection shows up as an op joining two activation paths.
import { isGradEnabled } from '../engine/autograd.js';
import { Tensor } from '../engine/tensor.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { Linear } from '../nn/layers/linear.js';

export interface ChainLayer {
  /** Dotted name of the weight, as in masks. */
  name: string;
  kind: 'linear' | 'conv';
  weight: Parameter;
  bias: Parameter | null;
  /** Batch norms applied to this layer's output before the next layer, in order. */
  norms: BatchNorm[];
}

/** Graph ops of weight layers (all record their inputs as [x, weight, bias?]); Linear may run a CSR kernel. */
const LAYER_OPS: Record<string, 'linear' | 'conv'> = { linear: 'linear', sparseLinear: 'linear', conv2d: 'conv' };

export type LayerGraph = { sequential: true; layers: ChainLayer[] } | { sequential: false; reason: string };

const modulesOf = (m: Module): Module[] => m.namedModules().map(([, c]) => c);

/**
 * The input shape a model expects per sample: `inputShape` when the model declares one (registry models),
 * else the input width of its first Linear layer (plain MLPs), else null.
 */
export function defaultInputShape(model: Module): readonly number[] | null {
  const declared = (model as Module & { inputShape?: readonly number[] }).inputShape;
  if (Array.isArray(declared)) return declared;
  const first = modulesOf(model).find((m) => m instanceof Linear) as Linear | undefined;
  return first ? [first.inFeatures] : null;
}

/** Runs one all-ones sample through the model (eval mode, graph recorded, no backward) and walks the graph. */
export function traceLayers(model: Module, inputShape: readonly number[]): LayerGraph {
  if (!isGradEnabled()) throw new Error('traceLayers needs gradient recording (it was called inside noGrad)');
  const names = new Map<Tensor, string>(model.namedParameters().map(([n, p]) => [p, n]));
  const normOf = new Map<Tensor, BatchNorm>();
  for (const m of modulesOf(model)) if (m instanceof BatchNorm) normOf.set(m.weight, m);
  const modes = modulesOf(model).map((m) => [m, m.training] as const);
  let out: Tensor;
  try {
    model.eval();
    const size = inputShape.reduce((a, b) => a * b, 1);
    out = model.forward(new Tensor(new Float32Array(size).fill(1), [1, ...inputShape]));
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  const reversed: ChainLayer[] = [];
  let pending: BatchNorm[] = [];
  let t: Tensor | undefined = out;
  while (t?.gradFn) {
    const fn: NonNullable<Tensor['gradFn']> = t.gradFn;
    const acts = fn.parents.filter((p) => !(p instanceof Parameter) && p.gradFn);
    const params = fn.parents.filter((p): p is Parameter => p instanceof Parameter);
    if (acts.length > 1) return { sequential: false, reason: `'${fn.name}' joins two paths (residual connection)` };
    if (fn.name in LAYER_OPS) {
      const weight = fn.parents[1] as Parameter;
      const bias = (fn.parents[2] as Parameter | undefined) ?? null;
      reversed.push({ name: names.get(weight) ?? '?', kind: LAYER_OPS[fn.name]!, weight, bias, norms: pending });
      pending = [];
    } else if (fn.name === 'batchNorm' && normOf.has(fn.parents[1]!)) {
      pending.unshift(normOf.get(fn.parents[1]!)!);
    } else if (params.length > 0) {
      return { sequential: false, reason: `'${fn.name}' has parameters but is not a Linear or Conv2d layer` };
    }
    t = acts[0];
  }
  if (pending.length > 0) return { sequential: false, reason: 'a batch norm precedes the first layer' };
  const layers = reversed.reverse();
  const onPath = new Set(layers.map((l) => l.weight));
  if (onPath.size !== layers.length) return { sequential: false, reason: 'a weight is used more than once' };
  for (const [n, p] of model.prunableParameters())
    if (!onPath.has(p))
      return { sequential: false, reason: `prunable weight '${n}' is not on the path from input to output` };
  return { sequential: true, layers };
}
