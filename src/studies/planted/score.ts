// Loss and accuracy of a network's outputs on a split, computed in float64 so targets (run in float64) and trained
// networks are scored the same way: MSE averaged over all output values (as ops.mse), or mean softmax
// cross-entropy and accuracy over the rows. Regression also gets the MSE after rescaling each output column by
// least squares (λ_j = Σ y·f / Σ f², 1 when f is all zero): the reference scores trained networks that way, so the
// paper's MSE figures are rescaled MSEs (it rescales per test batch of 512; here over the whole split).
import type { Split, Task } from './tasks.js';

export interface Score {
  loss: number;
  /** Regression only: MSE after the least-squares rescaling of each output. */
  loss_rescaled?: number;
  /** Classification only. */
  accuracy?: number;
}

export function scoreOutputs(task: Pick<Task, 'kind' | 'outDim'>, out: ArrayLike<number>, split: Split): Score {
  const d = task.outDim;
  if (out.length !== split.n * d) throw new RangeError(`${out.length} outputs for ${split.n} rows of width ${d}`);
  if (task.kind === 'regression') {
    let s = 0;
    for (let i = 0; i < out.length; i++) s += (out[i]! - split.y[i]!) ** 2;
    return { loss: s / out.length, loss_rescaled: rescaledMse(out, split.y, d) };
  }
  let ce = 0;
  let correct = 0;
  for (let r = 0; r < split.n; r++) {
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < d; c++) {
      const v = out[r * d + c]!;
      if (v > max) {
        max = v;
        best = c;
      }
    }
    let z = 0;
    for (let c = 0; c < d; c++) z += Math.exp(out[r * d + c]! - max);
    const label = split.y[r]!;
    ce += Math.log(z) + max - out[r * d + label]!;
    if (best === label) correct++;
  }
  return { loss: ce / split.n, accuracy: correct / split.n };
}

/** MSE of `out` [n, d] against `y` after scaling each output column by its least-squares factor. */
export function rescaledMse(out: ArrayLike<number>, y: ArrayLike<number>, d: number): number {
  const fy = new Float64Array(d);
  const ff = new Float64Array(d);
  for (let i = 0; i < out.length; i++) {
    fy[i % d] += out[i]! * y[i]!;
    ff[i % d] += out[i]! * out[i]!;
  }
  const lambda = Array.from(ff, (f, j) => (f === 0 ? 1 : fy[j]! / f));
  let s = 0;
  for (let i = 0; i < out.length; i++) s += (lambda[i % d]! * out[i]! - y[i]!) ** 2;
  return s / out.length;
}
