// The LTP study's training: masked-LM steps on the whole encoder (pretraining and the fine-tuning that defines the
// ticket), and the task: a prompted classifier where only the prompt, the head and the chosen weights (or entries of
// them) move.
import { maskEpochCallback, type MlmDataset } from '../../data/mlm-dataset.js';
import type { TensorDataset } from '../../data/tensor-dataset.js';
import type { Module } from '../../nn/module.js';
import type { Parameter } from '../../nn/parameter.js';
import { Adam, AdamW } from '../../nn/optim/adam.js';
import { ElementRestricted, freezeExcept } from '../../nn/optim/restricted.js';
import { crossEntropy } from '../../training/loss.js';
import { lossFor } from '../../training/run-data.js';
import { trainSteps, type StudyTrainOptions } from '../train-steps.js';

/** Masked-LM training of every weight: AdamW with decay for pretraining, without for the ticket's fine-tuning. */
export async function trainMlm(
  model: Module,
  data: MlmDataset,
  weightDecay: number,
  o: StudyTrainOptions,
): Promise<number> {
  const optimizer = new AdamW(model.parameters(), { lr: o.lr, beta2: 0.98, weightDecay });
  return trainSteps(model, data, optimizer, lossFor('masked-token'), o, (sampler) => [
    maskEpochCallback(data, sampler.iterationsPerEpoch),
  ]);
}

/**
 * The task: `whole` parameters train entirely (prompt, head, and every encoder weight for full fine-tuning), `masks`
 * gives parameters that train only at their 1 entries; everything else is frozen and does not move by a bit.
 */
export async function trainTask(
  model: Module,
  data: TensorDataset,
  whole: readonly Parameter[],
  masks: ReadonlyMap<Parameter, Uint8Array>,
  o: StudyTrainOptions,
): Promise<number> {
  const trainable = new Set([...whole, ...masks.keys()]);
  const optimizer = new ElementRestricted(new Adam([...trainable], { lr: o.lr }), masks);
  const restore = freezeExcept(model, trainable);
  try {
    return await trainSteps(model, data, optimizer, crossEntropy, o);
  } finally {
    restore();
  }
}
