// Finite-difference gradient check: compares autograd's gradient of L = Σ out·r (r random, fixed) with central
// differences of L computed in double precision from float32 forward passes.
import assert from 'node:assert/strict';
import { Tensor } from '../../src/engine/tensor.js';
import { backward } from '../../src/engine/autograd.js';
import { Rng } from '../../src/engine/rng.js';

export interface GradCheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Check at most this many coordinates per input (spread evenly); default all. */
  maxPoints?: number;
}

export function randomTensor(rng: Rng, shape: number[], scale = 1, requiresGrad = true): Tensor {
  const t = Tensor.zeros(shape, requiresGrad);
  rng.fillNormal(t.data, 0, scale);
  return t;
}

export function gradCheck(name: string, inputs: Tensor[], f: () => Tensor, opts: GradCheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const atol = opts.atol ?? 2e-3;
  const probe = f();
  const r = new Rng(1234, 'gradcheck').fillNormal(new Float32Array(probe.size));
  const lossOf = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i]! * r[i]!;
    return s;
  };
  for (const t of inputs) t.grad = null;
  const out = f();
  backward(out, r);
  const base = lossOf(f());
  for (const [k, t] of inputs.entries()) {
    if (!t.requiresGrad) continue;
    let kinks = 0;
    assert.ok(t.grad, `${name}: input ${k} got no gradient`);
    const analytic = t.grad!.slice();
    const points = Math.min(t.size, opts.maxPoints ?? t.size);
    const stride = t.size / points;
    for (let p = 0; p < points; p++) {
      const i = Math.floor(p * stride);
      const orig = t.data[i]!;
      t.data[i] = orig + eps;
      const lp = lossOf(f());
      t.data[i] = orig - eps;
      const lm = lossOf(f());
      t.data[i] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const a = analytic[i]!;
      const tol = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
      if (Math.abs(a - numeric) <= tol) continue;
      // Retry with a smaller step: a ReLU/max-pool switch within eps of x often lies outside eps/10.
      const small = eps / 10;
      t.data[i] = orig + small;
      const sp = lossOf(f());
      t.data[i] = orig - small;
      const sm = lossOf(f());
      t.data[i] = orig;
      const fine = (sp - sm) / (2 * small);
      if (Math.abs(a - fine) <= atol + rtol * Math.max(Math.abs(a), Math.abs(fine))) continue;
      // A ReLU or max-pool switch inside [x-eps, x+eps] makes the one-sided slopes disagree: the function is not
      // differentiable there at this eps and the central difference means nothing. Such a point is excused (a
      // few are allowed); any other mismatch fails.
      const right = (lp - base) / eps;
      const left = (base - lm) / eps;
      const kink = Math.abs(right - left) > 4 * (atol + rtol * Math.max(Math.abs(right), Math.abs(left)));
      assert.ok(kink, `${name}: input ${k}[${i}] analytic ${a} vs numeric ${numeric}`);
      kinks++;
    }
    assert.ok(
      kinks <= Math.max(1, points * 0.05),
      `${name}: input ${k}: ${kinks} of ${points} points not differentiable at eps`,
    );
  }
}
