// Masks: one 0/1 Float32Array per prunable weight, keyed by the weight's dotted name.
import type { Module } from '../nn/module.js';
import { ConfigError } from '../util/errors.js';

export type Masks = Map<string, Float32Array>;

/** The one check of a density (fraction of weights kept): a number in (0, 1]. */
export function checkDensity(density: number, what = 'density'): void {
  if (!(density > 0 && density <= 1))
    throw new ConfigError(`${what} must be a number in (0, 1] (the fraction of weights kept), got ${density}`);
}

/** All-ones masks for every prunable weight (the dense network). */
export function denseMasks(model: Module): Masks {
  return new Map(model.prunableParameters().map(([n, p]) => [n, new Float32Array(p.size).fill(1)]));
}

export function countOnes(m: Float32Array): number {
  let k = 0;
  for (let i = 0; i < m.length; i++) k += m[i]!;
  return k;
}

/** Fraction of prunable weights kept. */
export function totalDensity(masks: Masks): number {
  let kept = 0;
  let total = 0;
  for (const m of masks.values()) {
    kept += countOnes(m);
    total += m.length;
  }
  return total === 0 ? 1 : kept / total;
}

export function layerDensities(masks: Masks): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [n, m] of masks) out[n] = m.length === 0 ? 1 : countOnes(m) / m.length;
  return out;
}

/** Attaches masks to the model's prunable weights (zeroing pruned entries). Every prunable weight needs one. */
export function applyMasks(model: Module, masks: Masks): void {
  for (const [n, p] of model.prunableParameters()) {
    const m = masks.get(n);
    if (!m) throw new Error(`no mask for prunable weight '${n}'`);
    p.setMask(m);
  }
  for (const n of masks.keys())
    if (!model.prunableParameters().some(([pn]) => pn === n)) throw new Error(`mask for unknown weight '${n}'`);
}

export function cloneMasks(masks: Masks): Masks {
  return new Map([...masks].map(([n, m]) => [n, m.slice()]));
}
