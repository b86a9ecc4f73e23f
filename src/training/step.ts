// One optimization step on one batch; the unit both the plain training loop and the lottery trainer use.
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import { softmaxCrossEntropy } from '../engine/ops/loss.js';
import type { ImageDataset } from '../data/dataset.js';
import type { BatchSampler } from '../data/sampler.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { DivergenceError } from '../util/errors.js';

/** Applied to a normalized training batch in place (e.g. random crop + flip); gets the step for seeding. */
export type Augment = (x: Float32Array, n: number, step: number) => void;

/** Takes step `step` (0-based): draws a batch, forward, loss, backward, update. Returns the batch loss. */
export function trainStep(model: Module, optimizer: Optimizer, data: ImageDataset, sampler: BatchSampler, step: number, augment?: Augment): { loss: number; examples: number } {
  const [C, H, W] = data.shape;
  const ids = sampler.next();
  const { x, y } = data.batch(ids);
  const n = ids.length;
  if (augment) augment(x, n, step);
  optimizer.zeroGrad();
  const loss = softmaxCrossEntropy(model.forward(new Tensor(x, [n, C, H, W])), y);
  const value = loss.item();
  if (!Number.isFinite(value)) throw new DivergenceError(`loss became ${value} at step ${step + 1}: training diverged (try a lower learning rate)`);
  backward(loss);
  optimizer.step();
  return { loss: value, examples: n };
}

/** Positions a fresh sampler as if `steps` batches had been drawn (for rewinding and resuming). */
export function skipBatches(sampler: BatchSampler, steps: number): void {
  const epoch = Math.floor(steps / sampler.iterationsPerEpoch);
  const within = steps - epoch * sampler.iterationsPerEpoch;
  sampler.restore({ ...sampler.state(), epoch, position: within * sampler.batchSize });
}
