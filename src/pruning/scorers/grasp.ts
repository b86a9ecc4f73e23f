// GraSP (Wang et al. 2020): keep the weights whose removal would shrink the gradient norm ‖g‖² most, i.e. score
// θ ⊙ Hg and prune the lowest. Removing weight i changes ‖g‖² by ≈ −2·θᵢ(Hg)ᵢ, so pruning the lowest θ⊙Hg (the
// highest −θ⊙Hg, as the paper and its reference code do) keeps gradient flow. Logits are divided by a temperature
// (200 in the reference code) and scores are normalized by |Σ s|, as there.
//
// Our autograd has no double backprop, so the Hessian-vector product is a central difference of gradients:
//   Hg ≈ (∇L(θ + εg) − ∇L(θ − εg)) / 2ε,   ε = step · ‖θ‖ / ‖g‖,
// i.e. the weights move by `step` (default 1e-3) of their norm, with the ReLU / max-pool pattern of θ frozen in
// both passes (kinks.ts): without that, units flipping inside ±ε wreck the estimate at any usable step.
// Only surviving prunable weights move, and H is restricted to them, as in the reference.
import { mul } from '../../engine/ops/arith.js';
import { Tensor } from '../../engine/tensor.js';
import { Module } from '../../nn/module.js';
import { ConfigError } from '../../util/errors.js';
import { normalize, prunableGradients, requireLoss, total } from './grad.js';
import { recordKinks, replayKinks } from '../kinks.js';
import type { Pruner, Scores } from './types.js';

export interface GraspOptions {
  /** Logits are divided by this before the loss (default 200, the reference code's). */
  temperature?: number;
  /** Finite-difference step as a fraction of ‖θ‖ (default 1e-3). */
  step?: number;
}

/** Forwards to a model and divides its outputs by a temperature. */
class Tempered extends Module {
  constructor(
    private readonly inner: Module,
    private readonly temperature: number,
  ) {
    super();
    this.addModule('model', inner);
  }
  forward(x: Tensor): Tensor {
    const y = this.inner.forward(x);
    return this.temperature === 1
      ? y
      : mul(y, new Tensor(new Float32Array(y.size).fill(1 / this.temperature), y.shape));
  }
}

function norm(vs: Iterable<Float32Array>): number {
  let s = 0;
  for (const v of vs) for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function graspPruner(opts: GraspOptions = {}): Pruner {
  const temperature = opts.temperature ?? 200;
  const step = opts.step ?? 1e-3;
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new ConfigError(`GraSP temperature must be a positive number, got ${temperature}`);
  if (!(step > 0 && step < 1)) throw new ConfigError(`GraSP finite-difference step must be in (0, 1), got ${step}`);
  return {
    name: 'grasp',
    defaultRounds: 1,
    score(ctx): Scores {
      const loss = requireLoss(ctx, 'grasp');
      const { model, masks } = ctx;
      const tempered = new Tempered(model, temperature);
      const gradAt = () => prunableGradients(model, () => loss(tempered));
      const params = model.prunableParameters();
      const { result: g, kinks } = recordKinks(gradAt);
      for (const [n] of params) {
        const m = masks.get(n)!;
        const gn = g.get(n)!;
        for (let i = 0; i < gn.length; i++) if (m[i] === 0) gn[i] = 0;
      }
      const out: Scores = new Map(params.map(([n, p]) => [n, new Float32Array(p.size)]));
      const gNorm = norm(g.values());
      if (gNorm === 0) return out;
      const eps = (step * norm(params.map(([, p]) => p.data))) / gNorm;
      const theta = new Map(params.map(([n, p]) => [n, p.data.slice()]));
      const shift = (sign: number) => {
        for (const [n, p] of params) {
          const t = theta.get(n)!;
          const gn = g.get(n)!;
          for (let i = 0; i < t.length; i++) p.data[i] = t[i]! + sign * eps * gn[i]!;
        }
      };
      let plus: Map<string, Float32Array>;
      let minus: Map<string, Float32Array>;
      try {
        shift(+1);
        plus = replayKinks(kinks, gradAt);
        shift(-1);
        minus = replayKinks(kinks, gradAt);
      } finally {
        for (const [n, p] of params) p.data.set(theta.get(n)!);
      }
      for (const [n] of params) {
        const s = out.get(n)!;
        const t = theta.get(n)!;
        const a = plus.get(n)!;
        const b = minus.get(n)!;
        for (let i = 0; i < s.length; i++) s[i] = ((a[i]! - b[i]!) / (2 * eps)) * t[i]!;
      }
      normalize(out, Math.abs(total(out)));
      return out;
    },
  };
}
