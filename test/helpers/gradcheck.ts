// Finite-difference gradient check: compares autograd's gradient of L = Σ out·r (r random, fixed) with central
// differences of L computed in double precision from float32 forward passes.
import assert from 'node:assert/strict';
import { Tensor, backward, Rng } from '../../src/engine/index.js';

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
  for (const [k, t] of inputs.entries()) {
    if (!t.requiresGrad) continue;
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
      assert.ok(Math.abs(a - numeric) <= tol, `${name}: input ${k}[${i}] analytic ${a} vs numeric ${numeric}`);
    }
  }
}
