// The study's three kinds of training, all through the shared loop: pretraining every weight (AdamW), tuning the
// whole token embedding, and tuning only some of its rows (plain Adam, so untouched rows stay bit-identical).
import { BatchSampler } from '../../data/sampler.js';
import type { TokenDataset } from '../../data/token-dataset.js';
import type { Model } from '../../models/model.js';
import { Adam, AdamW } from '../../nn/optim/adam.js';
import type { Optimizer } from '../../nn/optim/optimizer.js';
import { RowRestricted } from '../../nn/optim/row-restricted.js';
import { trainLoop } from '../../training/loop.js';
import { lossFor } from '../../training/run-data.js';
import { onEveryStep } from '../../training/callbacks.js';

export const EMBEDDING = 'tok_emb.weight';

export interface TrainOptions {
  steps: number;
  lr: number;
  batchSize: number;
  seed: number;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
}

export async function pretrain(model: Model, data: TokenDataset, o: TrainOptions): Promise<number> {
  return run(model, data, new AdamW(model.parameters(), { lr: o.lr, beta2: 0.99, weightDecay: 0.01 }), o);
}

/** Tunes the embedding only: every row when `rows` is null, else just those rows. */
export async function tuneEmbedding(
  model: Model,
  data: TokenDataset,
  rows: readonly number[] | null,
  o: TrainOptions,
): Promise<number> {
  const embedding = model.namedParameters().find(([name]) => name === EMBEDDING)![1];
  const adam = new Adam([embedding], { lr: o.lr });
  const optimizer = rows === null ? adam : new RowRestricted(adam, embedding, rows);
  // Frozen weights need no gradient: backpropagation still runs through them to reach the embedding.
  const frozen = model.parameters().filter((p) => p !== embedding);
  for (const p of frozen) p.requiresGrad = false;
  try {
    return await run(model, data, optimizer, o);
  } finally {
    for (const p of frozen) p.requiresGrad = true;
  }
}

async function run(model: Model, data: TokenDataset, optimizer: Optimizer, o: TrainOptions): Promise<number> {
  const r = await trainLoop({
    model,
    optimizer,
    data,
    sampler: new BatchSampler(data.size, Math.min(o.batchSize, data.size), o.seed),
    loss: lossFor(model.objective),
    schedule: {},
    startStep: 0,
    endStep: o.steps,
    callbacks: [onEveryStep((s) => o.onStep?.(s.step, o.steps))],
    signal: o.signal,
  });
  return r.seconds;
}
