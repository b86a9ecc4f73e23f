// The planted ticket trained like any found one. It depends on the planted network, the seed, the training settings
// and whether biases are pruned, never on the pruner or the density, so every seek of a planted run shares one
// training: kept as `<planted run>/planted-ticket/<hash>.json` and found again. A grid then trains it once per
// repetition instead of once per configuration (about half of a single-shot seek's time). A damaged file is
// trained again and rewritten; two processes writing the same file write the same bytes (deterministic training).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hparamHash } from '../../store/hash.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { readJson } from '../../store/json.js';
import { DataError } from '../../util/errors.js';
import type { PlantedTraining } from './hparams.js';
import { scoreSchema } from './seek-store.js';
import type { TrainedTicket } from './seek.js';
import type { PlantedRun } from './store.js';

const stored = z.object({
  density: z.number(),
  init: scoreSchema,
  test: scoreSchema,
  train_loss: z.number().nullable(), // NaN (no full epoch) is written as null
});

export interface PlantedTicketKey {
  train: PlantedTraining;
  seed: number;
  pruneBias: boolean;
}

export function plantedTicketFile(run: PlantedRun, key: PlantedTicketKey): string {
  const id = { seed: key.seed, prune_bias: key.pruneBias, train: key.train };
  return path.join(run.dir, 'planted-ticket', `${hparamHash(id)}.json`);
}

/** The stored planted ticket for `key`, or `train()`'s, stored for the next seek. */
export async function plantedTicket(
  run: PlantedRun,
  key: PlantedTicketKey,
  train: () => Promise<TrainedTicket>,
): Promise<TrainedTicket> {
  const file = plantedTicketFile(run, key);
  if (fs.existsSync(file))
    try {
      const t = readJson(file, stored);
      return { ...t, train_loss: t.train_loss ?? NaN };
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
    }
  const ticket = await train();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(ticket) + '\n');
  return ticket;
}
