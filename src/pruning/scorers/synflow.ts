// SynFlow (Tanaka et al. 2020): data-free. Every parameter and buffer is replaced by its absolute value, one
// all-ones sample (or a given batch, for networks whose inputs are token ids) goes through the network in eval mode,
// R = Σ outputs, and s = |θ ⊙ ∂R/∂θ|; signs are restored afterwards (by the caller, which restores the model after
// every scoring call). pruneAtInit iterates it (100 rounds by default, exponential density schedule).
//
// Overflow: both the reference (ganguli-lab Synaptic-Flow, Pruners/pruners.py, whose `model.double()` and float64
// input lines are commented out) and we score in float32, where R of a deep network overflows (it grows like the
// product of the layers' gains — about 1e70 for ResNet-56) and the reference gets inf/NaN scores. Two guards:
//  1. We differentiate R / R₀ (R₀ = the forward value) instead of R: backward seeds 1/R₀, so gradients and
//     scores stay O(1) (each layer's scores sum to about 1). The ranking is unchanged.
//  2. If R₀ still leaves [1e-30, 1e30] and the weights form a chain (no residual connections), each layer l is
//     rescaled by c_l = 1 / (its mean absolute row sum) and its bias, and the running mean and shift of the
//     batch norms after it, by C_l = c_1·…·c_l. Every activation at depth l is then exactly C_l times the original,
//     so every score is scaled by the same C_L and the normalized scores are unchanged (exact for chains).
//     Residual networks admit no such rescaling (the identity path cannot be rescaled along with the convs), so
//     there an out-of-range R is an error rather than a silently different ranking.
import { backward } from '../../engine/autograd.js';
import { sum } from '../../engine/ops/arith.js';
import { Tensor } from '../../engine/tensor.js';
import type { Module } from '../../nn/module.js';
import { ConfigError, UserError } from '../../util/errors.js';
import { defaultInputShape, traceLayers, type ChainLayer } from '../layer-graph.js';
import type { Pruner, ScoreContext, Scores } from './types.js';

const R_MIN = 1e-30;
const R_MAX = 1e30;

function absInPlace(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i]!);
}

function scaleInPlace(a: Float32Array, c: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * c;
}

/** Mean over output units of Σ|w| over the unit's inputs (the layer's gain on an all-ones input). */
function meanRowSum(l: ChainLayer): number {
  const rows = l.weight.shape[0]!;
  let s = 0;
  for (let i = 0; i < l.weight.size; i++) s += Math.abs(l.weight.data[i]!);
  return s / rows;
}

/** Rescales a chain as described above, so that activations stay near 1. */
function rescaleChain(layers: ChainLayer[]): void {
  let cumulative = 1;
  for (const l of layers) {
    const gain = meanRowSum(l);
    const c = gain > 0 && Number.isFinite(gain) ? 1 / gain : 1;
    cumulative *= c;
    scaleInPlace(l.weight.data, c);
    if (l.bias) scaleInPlace(l.bias.data, cumulative);
    for (const bn of l.norms) {
      scaleInPlace(bn.runningMean, cumulative);
      scaleInPlace(bn.bias.data, cumulative);
    }
  }
}

function inputShapeFor(ctx: ScoreContext): readonly number[] {
  const shape = ctx.inputShape ?? defaultInputShape(ctx.model);
  if (!shape) throw new ConfigError('synflow needs the input shape of one sample (context inputShape)');
  return shape;
}

function forwardOnes(model: Module, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return model.forward(new Tensor(new Float32Array(size).fill(1), [1, ...shape]));
}

const inRange = (r: number) => r >= R_MIN && r <= R_MAX;

export const synflowPruner: Pruner = {
  name: 'synflow',
  defaultRounds: 100,
  score(ctx): Scores {
    const { model } = ctx;
    const input = ctx.synflowInput;
    const shape = input ? input.shape.slice(1) : inputShapeFor(ctx);
    const forward = () => (input ? model.forward(input) : forwardOnes(model, shape));
    const params = model.prunableParameters();
    const out: Scores = new Map(params.map(([n, p]) => [n, new Float32Array(p.size)]));
    model.eval();
    for (const p of model.parameters()) absInPlace(p.data);
    for (const [, b] of model.namedBuffers()) absInPlace(b);
    let y = forward();
    let r0 = y.data.reduce((a, b) => a + b, 0);
    if (r0 === 0) return out; // no path carries any flow: every score is 0
    if (!inRange(r0)) {
      const graph = input ? ({ sequential: false, reason: 'a given input batch' } as const) : traceLayers(model, shape);
      if (!graph.sequential)
        throw new UserError(
          `synflow: R = ${r0} is outside float32's safe range and the model is not a chain (${graph.reason}), so it cannot be rescaled exactly`,
        );
      rescaleChain(graph.layers);
      y = forward();
      r0 = y.data.reduce((a, b) => a + b, 0);
      if (r0 === 0) return out;
      if (!inRange(r0))
        throw new UserError(`synflow: R = ${r0} is outside float32's safe range even after rescaling the layers`);
    }
    model.zeroGrad();
    backward(sum(y), Float32Array.of(1 / r0));
    for (const [n, p] of params) {
      const s = out.get(n)!;
      if (!p.grad || p.gradStale) continue;
      for (let i = 0; i < s.length; i++) s[i] = Math.abs(p.grad[i]! * p.data[i]!);
    }
    return out;
  },
};
