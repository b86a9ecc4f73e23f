// Loads one trained lottery ticket from an experiment: the model with its final weights and its mask attached, so
// every pruned weight is zero (final ⊙ mask), in eval mode. Replicate, level and branch are looked up among what the
// experiment holds, never joined into paths as given.
import path from 'node:path';
import { LotteryExperiment } from '../lottery/experiment.js';
import { FILES, TRUNK } from '../lottery/layout.js';
import { loadMasks, loadTensors } from '../store/weights.js';
import { defaultRoot } from '../store/root.js';
import { createModel } from '../models/registry.js';
import type { Model } from '../models/model.js';
import { applyMasks, layerDensities, totalDensity, type Masks } from '../pruning/masks.js';
import { DataError, UserError } from '../util/errors.js';

export interface TicketRef {
  level: number;
  branch?: string;
  replicate?: number;
  /** Run root to look experiment names up in. */
  root?: string;
}

export interface Ticket {
  model: Model;
  masks: Masks;
  experiment: string;
  replicate: number;
  branch: string;
  level: number;
  /** Fraction of prunable weights kept. */
  density: number;
  layerDensity: Record<string, number>;
  /** The level directory holding mask and final weights. */
  dir: string;
}

/** The finished level `ref` names, with an error that lists what does exist when it does not. */
function findLevel(exp: LotteryExperiment, ref: { level: number; branch: string; replicate: number }): string {
  const reps = exp.replicates();
  if (!reps.includes(ref.replicate))
    throw new UserError(`${exp.name} has no replicate ${ref.replicate} (replicates: ${reps.join(', ') || 'none'})`);
  const dir = exp.levelDir(ref.replicate, ref.level, ref.branch);
  const finished = exp.finishedLevels(ref.replicate, ref.branch);
  if (!finished.includes(ref.level)) {
    const what = exp.branches(ref.replicate, ref.level).includes(ref.branch)
      ? 'has not finished training'
      : 'does not exist';
    throw new UserError(
      `level ${ref.level} of ${exp.name} replicate ${ref.replicate} (branch ${ref.branch}) ${what}; finished levels: ${finished.join(', ') || 'none'}`,
    );
  }
  return dir;
}

export function loadTicket(run: string, ref: TicketRef): Ticket {
  const exp = LotteryExperiment.open(run, ref.root ?? defaultRoot());
  const full = { level: ref.level, branch: ref.branch ?? TRUNK, replicate: ref.replicate ?? 1 };
  const dir = findLevel(exp, full);
  const model = createModel(exp.hparams.model.model);
  const finalFile = path.join(dir, FILES.final);
  try {
    model.loadStateDict(loadTensors(finalFile).values);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new DataError(`${finalFile} does not fit ${model.name}: ${(e as Error).message}`);
  }
  const masks = loadMasks(path.join(dir, FILES.mask), model);
  applyMasks(model, masks);
  model.eval();
  return {
    model,
    masks,
    experiment: exp.name,
    ...full,
    density: totalDensity(masks),
    layerDensity: layerDensities(masks),
    dir,
  };
}
