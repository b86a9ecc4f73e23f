// Gradients of a caller-supplied loss with respect to the prunable weights, as fresh copies.
import { backward } from '../../engine/autograd.js';
import type { Tensor } from '../../engine/tensor.js';
import type { Module } from '../../nn/module.js';
import { ConfigError, DivergenceError } from '../../util/errors.js';
import type { ScoreContext } from './types.js';

/** The ctx's loss function, or a ConfigError naming the scorer that needs it. */
export function requireLoss(ctx: ScoreContext, scorer: string): (model: Module) => Tensor {
  if (!ctx.lossOnBatch)
    throw new ConfigError(`${scorer} scores weights on a batch of data: the pruning context needs lossOnBatch`);
  return ctx.lossOnBatch;
}

/** dL/dθ for every prunable weight of `model`, where `loss()` runs a forward pass through it. */
export function prunableGradients(model: Module, loss: () => Tensor): Map<string, Float32Array> {
  model.zeroGrad();
  const L = loss();
  const value = L.item();
  if (!Number.isFinite(value)) throw new DivergenceError(`the loss on the pruning batch is ${value}`);
  backward(L);
  const out = new Map<string, Float32Array>();
  for (const [n, p] of model.prunableParameters())
    out.set(n, p.grad && !p.gradStale ? p.grad.slice() : new Float32Array(p.size));
  model.zeroGrad();
  return out;
}

/** Divides every score by `norm` (skipped when it is 0 or not finite). */
export function normalize(scores: Map<string, Float32Array>, norm: number): void {
  if (!(norm > 0) || !Number.isFinite(norm)) return;
  for (const s of scores.values()) for (let i = 0; i < s.length; i++) s[i] = s[i]! / norm;
}

/** Sum of all scores, in double precision. */
export function total(scores: Map<string, Float32Array>): number {
  let t = 0;
  for (const s of scores.values()) for (let i = 0; i < s.length; i++) t += s[i]!;
  return t;
}
