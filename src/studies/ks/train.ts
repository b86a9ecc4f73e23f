// The KS study's training: pretraining every weight (AdamW), tuning the whole token embedding, and tuning only some
// of its rows (plain Adam, so untouched rows stay bit-identical).
import type { TokenDataset } from '../../data/token-dataset.js';
import type { Model } from '../../models/model.js';
import { Adam, AdamW } from '../../nn/optim/adam.js';
import { rowRestricted } from '../../nn/optim/row-restricted.js';
import { lossFor } from '../../training/run-data.js';
import { trainSteps, type StudyTrainOptions } from '../train-steps.js';

export const EMBEDDING = 'tok_emb.weight';

export async function pretrain(model: Model, data: TokenDataset, o: StudyTrainOptions): Promise<number> {
  const optimizer = new AdamW(model.parameters(), { lr: o.lr, beta2: 0.99, weightDecay: 0.01 });
  return trainSteps(model, data, optimizer, lossFor(model.objective), o);
}

/** Tunes the embedding only: every row when `rows` is null, else just those rows. */
export async function tuneEmbedding(
  model: Model,
  data: TokenDataset,
  rows: readonly number[] | null,
  o: StudyTrainOptions,
): Promise<number> {
  const embedding = model.namedParameters().find(([name]) => name === EMBEDDING)![1];
  const adam = new Adam([embedding], { lr: o.lr });
  const optimizer = rows === null ? adam : rowRestricted(adam, embedding, rows);
  // Frozen weights need no gradient: backpropagation still runs through them to reach the embedding.
  const frozen = model.parameters().filter((p) => p !== embedding);
  for (const p of frozen) p.requiresGrad = false;
  try {
    return await trainSteps(model, data, optimizer, lossFor(model.objective), o);
  } finally {
    for (const p of frozen) p.requiresGrad = true;
  }
}
