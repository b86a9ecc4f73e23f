// Frozen kinks for finite-difference Hessian-vector products. A ReLU network is piecewise smooth, and double
// backprop (what GraSP's reference uses) differentiates the smooth piece the weights are on. A difference of
// gradients at θ ± εg instead jumps wherever some unit's pre-activation (or a max-pool's winner) flips inside ±ε,
// which happens for every float32-usable ε on real data and corrupts the scores with O(1/ε) outliers. So the
// perturbed passes replay the ReLU on/off pattern and max-pool argmax of the unperturbed pass, call by call: the
// difference then sees one smooth piece, as double backprop does.
//
// The ReLU and max-pool kernels are swapped for recording / replaying versions through a scoped kernel override
// (engine/kernels.ts) for the duration of one synchronous call.
import { native } from '../engine/native.js';
import { withKernels } from '../engine/kernels.js';

export interface Kinks {
  relu: Uint8Array[];
  argmax: Int32Array[];
}

/** Runs fn, recording the pattern of every ReLU and the argmax of every max-pool in call order. */
export function recordKinks<T>(fn: () => T): { result: T; kinks: Kinks } {
  const kinks: Kinks = { relu: [], argmax: [] };
  const { reluForward, maxPool2dForward } = native;
  const result = withKernels(
    {
      reluForward: (x, y, n) => {
        reluForward(x, y, n);
        const on = new Uint8Array(n);
        for (let i = 0; i < n; i++) on[i] = x[i]! > 0 ? 1 : 0;
        kinks.relu.push(on);
      },
      maxPool2dForward: (x, y, argmax, ...dims) => {
        maxPool2dForward(x, y, argmax, ...dims);
        kinks.argmax.push(argmax.slice());
      },
    },
    fn,
  );
  return { result, kinks };
}

const changed = () => new Error('the forward pass changed between finite-difference passes (not a fixed graph)');

/** Runs fn with every ReLU and max-pool following the recorded pattern instead of its own input. */
export function replayKinks<T>(kinks: Kinks, fn: () => T): T {
  let r = 0;
  let m = 0;
  const patterns = new WeakMap<Float32Array, Uint8Array>();
  const { reluBackward, maxPool2dForward } = native;
  return withKernels(
    {
      reluForward: (x, y, n) => {
        const on = kinks.relu[r++];
        if (!on || on.length !== n) throw changed();
        for (let i = 0; i < n; i++) y[i] = on[i] ? x[i]! : 0;
        patterns.set(y, on);
      },
      reluBackward: (dy, y, dx, n) => {
        const on = patterns.get(y);
        if (!on) return reluBackward(dy, y, dx, n);
        for (let i = 0; i < n; i++) dx[i] = on[i] ? dy[i]! : 0;
      },
      maxPool2dForward: (x, y, argmax, N, C, H, W, k, stride, pad) => {
        const won = kinks.argmax[m++];
        if (!won || won.length !== argmax.length) throw changed();
        maxPool2dForward(x, y, argmax, N, C, H, W, k, stride, pad);
        argmax.set(won);
        const outP = won.length / (N * C);
        for (let q = 0; q < won.length; q++) y[q] = x[Math.floor(q / outP) * H * W + won[q]!]!;
      },
    },
    fn,
  );
}
