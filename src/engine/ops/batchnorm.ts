// Batch normalization for [N, C] and [N, C, H, W] inputs. In training it normalizes with batch statistics and
// updates the running ones in place; in evaluation it uses the running statistics.
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, gradTarget, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { batchMajor } from './layout.js';

export interface BatchNormState {
  runningMean: Float32Array;
  runningVar: Float32Array;
}

export function batchNorm(
  input: Tensor,
  gamma: Tensor,
  beta: Tensor,
  state: BatchNormState,
  training: boolean,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  const x = batchMajor(input);
  if (x.ndim !== 2 && x.ndim !== 4)
    throw new RangeError(`batchNorm: input must be [N, C] or [N, C, H, W], got ${shapeStr(x.shape)}`);
  const N = x.shape[0]!;
  const C = x.shape[1]!;
  const HW = x.ndim === 4 ? x.shape[2]! * x.shape[3]! : 1;
  if (gamma.size !== C || beta.size !== C || state.runningMean.length !== C || state.runningVar.length !== C)
    throw new RangeError(`batchNorm: parameters must have ${C} channels`);
  const y = new Tensor(new Float32Array(x.size), x.shape);
  const mean = new Float32Array(C);
  const invstd = new Float32Array(C);
  kernels().batchNormForward(
    x.data,
    gamma.data,
    beta.data,
    y.data,
    mean,
    invstd,
    state.runningMean,
    state.runningVar,
    N,
    C,
    HW,
    training,
    momentum,
    eps,
  );
  if (!needsGrad(x, gamma, beta)) return y;
  return record(y, 'batchNorm', [x, gamma, beta], (g) => {
    const dx = x.requiresGrad ? new Float32Array(x.size) : null;
    const dg = gradTarget(gamma);
    const db = gradTarget(beta);
    const dgBuf = dg?.buf ?? new Float32Array(C);
    const dbBuf = db?.buf ?? new Float32Array(C);
    // One accumulate flag covers both; when they differ (rare), reconcile through a scratch copy.
    const acc = dg?.accumulate ?? db?.accumulate ?? false;
    const dbTarget = db && db.accumulate !== acc ? new Float32Array(C) : dbBuf;
    kernels().batchNormBackward(g, x.data, gamma.data, mean, invstd, dx, dgBuf, dbTarget, N, C, HW, training, acc);
    if (db && dbTarget !== dbBuf) {
      if (db.accumulate) kernels().axpy(1, dbTarget, db.buf, C);
      else db.buf.set(dbTarget);
    }
    if (dx) accumulateGrad(x, dx);
  });
}
