// Loads one trained lottery ticket from an experiment directory: the model with its final weights and its
// mask attached, so every pruned weight is zero (final ⊙ mask), in eval mode.
import fs from 'node:fs';
import path from 'node:path';
import { resolveExperiment } from '../lottery/collect.js';
import { FILES, levelDir, replicateDir, TRUNK } from '../lottery/layout.js';
import { loadMasks, loadTensors } from '../lottery/tensors.js';
import { createModel, type Model } from '../models/index.js';
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

/** Sorted numbers N of the entries `<prefix>N` in `dir` (what exists, for error messages). */
function numbered(dir: string, prefix: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => new RegExp(`^${prefix}\\d+$`).test(d))
    .map((d) => Number(d.slice(prefix.length)))
    .sort((a, b) => a - b);
}

function modelName(experiment: string): string {
  const file = path.join(experiment, FILES.hparams);
  let name: unknown;
  try {
    name = (JSON.parse(fs.readFileSync(file, 'utf8')) as { hparams?: { model?: { model?: unknown } } }).hparams?.model?.model;
  } catch (e) {
    throw new DataError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (typeof name !== 'string' || !name) throw new DataError(`${file} names no model (hparams.model.model)`);
  return name;
}

/** Finds the level directory of `ref`, with an error that lists what does exist when it does not. */
function findLevel(experiment: string, ref: Required<Omit<TicketRef, 'root'>>): string {
  const name = path.basename(experiment);
  const rep = replicateDir(experiment, ref.replicate);
  if (!fs.existsSync(rep)) {
    const have = numbered(experiment, 'replicate_');
    throw new UserError(`${name} has no replicate ${ref.replicate} (replicates: ${have.join(', ') || 'none'})`);
  }
  const dir = levelDir(rep, ref.level, ref.branch);
  if (!fs.existsSync(path.join(dir, FILES.final))) {
    const finished = numbered(rep, 'level_').filter((l) => fs.existsSync(path.join(levelDir(rep, l, ref.branch), FILES.final)));
    const what = fs.existsSync(dir) ? 'has not finished training' : 'does not exist';
    throw new UserError(
      `level ${ref.level} of ${name} replicate ${ref.replicate} (branch ${ref.branch}) ${what}; finished levels: ${finished.join(', ') || 'none'}`,
    );
  }
  return dir;
}

export function loadTicket(run: string, ref: TicketRef): Ticket {
  const experiment = resolveExperiment(run, ref.root);
  const full = { level: ref.level, branch: ref.branch ?? TRUNK, replicate: ref.replicate ?? 1 };
  const dir = findLevel(experiment, full);
  const model = createModel(modelName(experiment));
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
    experiment: path.basename(experiment),
    ...full,
    density: totalDensity(masks),
    layerDensity: layerDensities(masks),
    dir,
  };
}
