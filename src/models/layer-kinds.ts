// The kind of every prunable weight, which the LTH paper's per-kind pruning rates need.
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import type { Model } from './model.js';

export type LayerKind = 'conv' | 'fc' | 'output';

/**
 * Conv weights, fully connected weights, and the model's output weight (which the LTH paper prunes at half rate),
 * by dotted name in parameter order. Works for any model built from Conv2d and Linear layers; a prunable weight
 * of another layer type is an error rather than a guess.
 */
export function layerKinds(model: Model): Map<string, LayerKind> {
  const byWeight = new Map<string, LayerKind>();
  for (const [prefix, m] of model.namedModules()) {
    if (m instanceof Conv2d) byWeight.set(`${prefix}weight`, 'conv');
    else if (m instanceof Linear) byWeight.set(`${prefix}weight`, 'fc');
  }
  const kinds = new Map<string, LayerKind>();
  for (const [name] of model.prunableParameters()) {
    const kind = byWeight.get(name);
    if (!kind) throw new Error(`layerKinds: prunable weight '${name}' is not a conv or linear weight`);
    kinds.set(name, name === model.outputWeight ? 'output' : kind);
  }
  if (!kinds.has(model.outputWeight))
    throw new Error(`layerKinds: output weight '${model.outputWeight}' is not a prunable weight of ${model.name}`);
  return kinds;
}
