// One optimization step on one batch: draw it, augment it, forward, loss, backward, update. A loss that is not
// finite stops training with a clear error instead of poisoning the weights.
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import type { Dataset } from '../data/types.js';
import type { BatchSampler } from '../data/sampler.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { DivergenceError } from '../util/errors.js';
import type { LossFn } from './loss.js';

/** Applied to a normalized training batch in place (e.g. random crop + flip); gets the step for seeding. */
export type Augment = (x: Float32Array, n: number, step: number) => void;

export interface StepInputs {
  model: Module;
  optimizer: Optimizer;
  data: Dataset;
  sampler: BatchSampler;
  loss: LossFn;
  augment?: Augment;
}

/** Takes step `step` (0-based) and returns the batch loss. */
export function trainStep(s: StepInputs, step: number): number {
  const ids = s.sampler.next();
  const { x, y } = s.data.batch(ids);
  const n = ids.length;
  s.augment?.(x, n, step);
  s.optimizer.zeroGrad();
  const loss = s.loss(s.model.forward(new Tensor(x, [n, ...s.data.sampleShape])), y);
  const value = loss.item();
  if (!Number.isFinite(value))
    throw new DivergenceError(
      `loss became ${value} at step ${step + 1}: training diverged (try a lower learning rate)`,
    );
  backward(loss);
  s.optimizer.step();
  return value;
}

/** Positions a fresh sampler as if `steps` batches had been drawn (for rewinding and resuming). */
export function skipBatches(sampler: BatchSampler, steps: number): void {
  const epoch = Math.floor(steps / sampler.iterationsPerEpoch);
  const within = steps - epoch * sampler.iterationsPerEpoch;
  sampler.restore({ ...sampler.state(), epoch, position: within * sampler.batchSize });
}
