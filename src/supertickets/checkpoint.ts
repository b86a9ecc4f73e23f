// The SuperTickets run's checkpoint, written at the end of every epoch (after its channel cut and pruning step): the
// architecture as it is now (channels may have been cut), weights and BN statistics, masks, the pruned weights'
// remembered values, the optimizer's state and where the loop stands. A stopped run resumes from it and ends with
// the same result as one that never stopped (the batch order is replayed from the seed).
import fs from 'node:fs';
import { z } from 'zod';
import { Supernet, type SupernetArch } from '../models/supernet.js';
import type { ModelData } from '../models/model.js';
import type { Masks } from '../pruning/masks.js';
import { parseJsonAs } from '../store/json.js';
import { loadTensors, saveTensors } from '../store/weights.js';
import { DataError } from '../util/errors.js';
import { warn } from '../util/warn.js';

const loopState = z.object({
  /** Epochs finished. */
  epoch: z.number().int().min(1),
  step: z.number().int().min(0),
  fraction: z.number().min(0).max(1),
  cut: z.number().int().min(0),
  seconds: z.number().min(0),
});
export type SuperTicketLoop = z.infer<typeof loopState>;

export interface SuperTicketState {
  model: Supernet;
  masks: Masks;
  raw: Map<string, Float32Array>;
  optimizer: Map<string, Float32Array>;
  loop: SuperTicketLoop;
}

export function saveSuperTicketCheckpoint(file: string, s: SuperTicketState): void {
  const values = new Map<string, Float32Array>();
  for (const [n, v] of s.model.stateDict()) values.set(`model.${n}`, v);
  for (const [n, v] of s.masks) values.set(`mask.${n}`, v);
  for (const [n, v] of s.raw) values.set(`raw.${n}`, v);
  for (const [n, v] of s.optimizer) values.set(`optim.${n}`, v);
  saveTensors(file, s.model, values, {
    kind: 'supertickets-checkpoint',
    arch: JSON.stringify(s.model.arch),
    loop: JSON.stringify(s.loop),
  });
}

const archSchema = z.custom<SupernetArch>(
  (v) => typeof v === 'object' && v !== null && Array.isArray((v as SupernetArch).blocks),
);

/**
 * The run's state from its checkpoint, or null when there is none. A damaged one is set aside as `<file>.damaged`
 * with a warning, and the run starts over.
 */
export function loadSuperTicketCheckpoint(file: string, name: string, data: ModelData): SuperTicketState | null {
  if (!fs.existsSync(file)) return null;
  try {
    const { values, metadata } = loadTensors(file);
    const part = (prefix: string) =>
      new Map([...values].filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n.slice(prefix.length), v]));
    const advice = { advice: 'delete it to start the run over' };
    const arch = parseJsonAs(metadata.arch ?? 'null', `the architecture in ${file}`, archSchema, advice);
    const loop = parseJsonAs(metadata.loop ?? 'null', `the loop state in ${file}`, loopState, advice);
    let model: Supernet;
    try {
      model = new Supernet(name, data, arch);
      model.loadStateDict(part('model.'));
    } catch (e) {
      throw new DataError(`${file} does not hold this run's network (${(e as Error).message})`);
    }
    const masks = part('mask.');
    for (const [n, p] of model.prunableParameters())
      if (masks.get(n)?.length !== p.size) throw new DataError(`${file}: no mask of ${p.size} entries for '${n}'`);
    return { model, masks, raw: part('raw.'), optimizer: part('optim.'), loop };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    fs.renameSync(file, `${file}.damaged`);
    warn(`${file} cannot be resumed from (${(e as Error).message}); set aside as .damaged, starting the run over`);
    return null;
  }
}
