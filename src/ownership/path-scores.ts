// Per-weight scores the V1 lock draws paths by: |θ| (the reference's default), uniform, |θ·g| or |θ·Hθ| on a batch.
// The Hessian-vector product is a central difference of gradients with the ReLU pattern of θ frozen (as GraSP's is,
// src/pruning/scorers/grasp.ts): Hθ ≈ (∇L(θ + εθ) − ∇L(θ − εθ)) / 2ε, ε = 1e-3.
import type { Tensor } from '../engine/tensor.js';
import type { Model } from '../models/model.js';
import { recordKinks, replayKinks } from '../pruning/kinks.js';
import { prunableGradients } from '../pruning/scorers/grad.js';
import type { PathScore } from './key-lock.js';

const EPS = 1e-3;

/** Scores of every prunable weight of `model` (its weights and masks as loaded); `loss` runs a batch through it. */
export function pathScores(model: Model, kind: PathScore, loss: () => Tensor): Map<string, Float32Array> {
  const params = model.prunableParameters();
  const out = new Map<string, Float32Array>();
  if (kind === 'magnitude' || kind === 'random') {
    for (const [n, p] of params)
      out.set(n, kind === 'random' ? new Float32Array(p.size).fill(1) : p.data.map((v) => Math.abs(v)));
    return out;
  }
  const { result: g, kinks } = recordKinks(() => prunableGradients(model, loss));
  if (kind === 'gradient') {
    for (const [n, p] of params)
      out.set(
        n,
        p.data.map((v, i) => Math.abs(v * g.get(n)![i]!)),
      );
    return out;
  }
  const theta = new Map(params.map(([n, p]) => [n, p.data.slice()]));
  const shifted = (sign: number) => {
    for (const [n, p] of params) p.data.set(theta.get(n)!.map((v) => v * (1 + sign * EPS)));
    return replayKinks(kinks, () => prunableGradients(model, loss));
  };
  let plus: Map<string, Float32Array>;
  let minus: Map<string, Float32Array>;
  try {
    plus = shifted(+1);
    minus = shifted(-1);
  } finally {
    for (const [n, p] of params) p.data.set(theta.get(n)!);
  }
  for (const [n] of params) {
    const t = theta.get(n)!;
    const a = plus.get(n)!;
    const b = minus.get(n)!;
    out.set(
      n,
      t.map((v, i) => Math.abs(v * ((a[i]! - b[i]!) / (2 * EPS)))),
    );
  }
  return out;
}
