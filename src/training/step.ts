// One optimization step on one batch: draw it, augment it, forward, loss, backward, update. A loss that is not
// finite stops training with a clear error instead of poisoning the weights.
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import { recycling } from '../engine/buffers.js';
import type { Dataset } from '../data/types.js';
import { ImageDataset, type Batch } from '../data/dataset.js';
import type { BatchSampler } from '../data/sampler.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { DivergenceError } from '../util/errors.js';
import { inputBatch } from './input-batch.js';
import type { LossFn } from './loss.js';

/** Applied to a normalized training batch in place (e.g. random crop + flip); gets the step for seeding. */
export type Augment = (x: Float32Array, n: number, step: number) => void;

/**
 * A small fixed set of examples added to every batch after augmentation (the V3 ownership trigger set): `perBatch`
 * of them a step, taken in turn so each is seen equally often.
 */
export interface MixIn {
  x: Float32Array;
  y: Int32Array;
  perBatch: number;
}

export interface StepInputs {
  model: Module;
  optimizer: Optimizer;
  data: Dataset;
  sampler: BatchSampler;
  loss: LossFn;
  augment?: Augment;
  mixIn?: MixIn;
}

// Batch buffers of an image dataset, reused from step to step (a step's tensors are dropped when it ends).
const batchBuffers = new WeakMap<StepInputs, Batch>();

/**
 * The step's input tensor: an image batch gathered into reused buffers, feature-major and already flattened when
 * the model's first layer is sparse (no transpose per step); otherwise a fresh batch-major gather.
 */
function drawBatch(s: StepInputs, step: number): { x: Tensor; y: Int32Array | Float32Array } {
  const ids = s.sampler.next();
  const n = ids.length;
  if (s.data instanceof ImageDataset && !s.augment && !s.mixIn) {
    let buf = batchBuffers.get(s);
    if (!buf || buf.y.length !== n) {
      buf = { x: new Float32Array(n * s.data.sampleSize), y: new Int32Array(n) };
      batchBuffers.set(s, buf);
    }
    return inputBatch(s.model, s.data, ids, buf);
  }
  const drawn = s.data.batch(ids);
  s.augment?.(drawn.x, n, step);
  const { x, y } = s.mixIn ? withMixIn(drawn.x, drawn.y as Int32Array, s.mixIn, step) : drawn;
  return { x: new Tensor(x, [n + (s.mixIn?.perBatch ?? 0), ...s.data.sampleShape]), y };
}

/** Takes step `step` (0-based) and returns the batch loss. */
export function trainStep(s: StepInputs, step: number): number {
  // The step's large activations and gradients reuse the previous step's memory (engine/buffers.ts).
  return recycling(() => {
    const { x, y } = drawBatch(s, step);
    s.optimizer.zeroGrad();
    const loss = s.loss(s.model.forward(x), y);
    const value = loss.item();
    if (!Number.isFinite(value))
      throw new DivergenceError(
        `loss became ${value} at step ${step + 1}: training diverged (try a lower learning rate)`,
      );
    backward(loss);
    s.optimizer.step();
    return value;
  });
}

function withMixIn(x: Float32Array, y: Int32Array, m: MixIn, step: number): { x: Float32Array; y: Int32Array } {
  const size = m.y.length;
  const d = m.x.length / size;
  const outX = new Float32Array(x.length + m.perBatch * d);
  const outY = new Int32Array(y.length + m.perBatch);
  outX.set(x);
  outY.set(y);
  for (let j = 0; j < m.perBatch; j++) {
    const i = (step * m.perBatch + j) % size;
    outX.set(m.x.subarray(i * d, (i + 1) * d), x.length + j * d);
    outY[y.length + j] = m.y[i]!;
  }
  return { x: outX, y: outY };
}

/** Positions a fresh sampler as if `steps` batches had been drawn (for rewinding and resuming). */
export function skipBatches(sampler: BatchSampler, steps: number): void {
  const epoch = Math.floor(steps / sampler.iterationsPerEpoch);
  const within = steps - epoch * sampler.iterationsPerEpoch;
  sampler.restore({ ...sampler.state(), epoch, position: within * sampler.batchSize });
}
