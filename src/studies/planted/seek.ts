// `seek`: can a pruning-at-initialization method find the planted ticket? Prune the planted network (random
// mother weights with the target inside) with a pruner — single-shot, or multishot (rounds of 5 epochs of training,
// pruning to ρ^(r/R), resetting the weights) — train the ticket, and compare it with the planted ticket trained the
// same way from the same weights, plus the mask's precision / recall / Jaccard against the ground truth and layer
// collapse.
import { Rng } from '../../engine/rng.js';
import { ConfigError } from '../../util/errors.js';
import { applyMasks, layerDensities, totalDensity, type Masks } from '../../pruning/masks.js';
import { pruneAtInit, type Scope } from '../../pruning/at-init.js';
import { checkDensity } from '../../pruning/masks.js';
import { multishot } from '../../pruning/multishot.js';
import { layerCollapse, type CollapseReport } from '../../pruning/collapse.js';
import { PRUNER_NAMES, type PrunerName } from '../../pruning/scorers/index.js';
import type { Module } from '../../nn/module.js';
import { maskAgreement, type MaskAgreement } from './metrics.js';
import { PlantedMlp } from './mlp.js';
import { scoreOutputs, type Score } from './score.js';
import type { PlantedRun } from './store.js';
import { makeTask, type Task } from './tasks.js';
import { evaluate, gather, predict, taskLoss, trainOnTask } from './train.js';
import { MULTISHOT_EPOCHS, PLANTED_DEFAULTS, type PlantedTraining } from './hparams.js';

/** Samples in the fixed batch SNIP and GraSP score on. */
export const PRUNE_BATCH = 256;

export interface SeekOptions {
  pruner: PrunerName;
  /** Fraction of weights kept, or 'planted' for the ground truth's density. */
  density: number | 'planted';
  multishot?: boolean;
  rounds?: number;
  scope?: Scope;
  /** How the tickets train (default: the paper's Adam 1e-3, batch 32, 10 epochs). */
  train?: PlantedTraining;
  seed?: number;
  onStage?: (stage: string) => void;
  signal?: AbortSignal;
}

export interface TrainedTicket {
  density: number;
  /** Test loss / accuracy before training, of net(x) itself (the planted ticket's is also given ÷ scale). */
  init: Score;
  test: Score;
  train_loss: number;
}

export interface SeekResult {
  run: string;
  task: Task['name'];
  pruner: PrunerName;
  scope: Scope;
  multishot: boolean;
  rounds: number | null;
  /** Training length of the tickets (a step string, e.g. 10ep). */
  steps: string;
  seed: number;
  density: number;
  planted_density: number;
  layer_densities: Record<string, number>;
  ticket: TrainedTicket;
  planted: TrainedTicket & { init_rescaled: Score };
  recovery: MaskAgreement;
  collapse: CollapseReport;
  seconds: number;
}

export function checkPruner(name: string): PrunerName {
  if (!(PRUNER_NAMES as readonly string[]).includes(name))
    throw new ConfigError(`unknown pruner '${name}': choose one of ${PRUNER_NAMES.join(', ')}`);
  return name as PrunerName;
}

function plantedModel(run: PlantedRun, mask: Masks | null): PlantedMlp {
  const model = new PlantedMlp(run.meta.widths);
  model.loadStateDict(run.params);
  if (mask) applyMasks(model, mask);
  return model;
}

/** Evaluates at init, trains (the seed fixes the batch order), evaluates on the test split. */
async function trainTicket(
  run: PlantedRun,
  task: Task,
  mask: Masks,
  train: PlantedTraining,
  seed: number,
  signal?: AbortSignal,
): Promise<{ model: PlantedMlp; ticket: TrainedTicket }> {
  const model = plantedModel(run, mask);
  const init = evaluate(model, task, task.test);
  const { trainLoss } = await trainOnTask(model, task, { ...train, seed, signal });
  return {
    model,
    ticket: { density: totalDensity(mask), init, test: evaluate(model, task, task.test), train_loss: trainLoss },
  };
}

export async function seek(run: PlantedRun, opts: SeekOptions): Promise<SeekResult> {
  const started = Date.now();
  const pruner = checkPruner(opts.pruner);
  const density = opts.density === 'planted' ? run.meta.density : opts.density;
  checkDensity(density);
  const scope = opts.scope ?? 'global';
  const rounds = opts.rounds ?? 10;
  const train = opts.train ?? PLANTED_DEFAULTS;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new ConfigError(`rounds must be a positive integer, got ${rounds}`);
  const task = makeTask(run.meta.task, run.meta.task_seed);

  // The planted ticket: its output ÷ scale is the target; trained like any other ticket.
  opts.onStage?.('training the planted ticket');
  const planted = await trainTicket(run, task, run.mask, train, seed, opts.signal);
  const raw = predict(plantedModel(run, run.mask), task, task.test);
  const rescaled = raw.map((v, i) => v / run.meta.scale[i % task.outDim]!);

  opts.onStage?.(`pruning with ${pruner}${opts.multishot ? ` (multishot, ${rounds} rounds)` : ''}`);
  const model = plantedModel(run, null);
  const pruneRng = new Rng(seed, 'planted-prune-batch');
  const batch = gather(
    task,
    task.train,
    Int32Array.from({ length: Math.min(PRUNE_BATCH, task.train.n) }, () => pruneRng.int(task.train.n)),
  );
  const ctx = {
    model,
    seed,
    lossOnBatch: (m: Module) => taskLoss(task, m.forward(batch.x), batch.y),
    inputShape: model.inputShape,
  };
  const masks = opts.multishot
    ? await multishot(pruner, ctx, density, {
        rounds,
        scope,
        train: async (m, _masks, r) =>
          void (await trainOnTask(m, task, {
            ...train,
            training: { ...train.training, steps: `${MULTISHOT_EPOCHS}ep` },
            seed,
            stream: `planted-multishot/${r}`,
            signal: opts.signal,
          })),
      })
    : pruneAtInit(pruner, ctx, density, { scope });

  opts.onStage?.('training the found ticket');
  const found = await trainTicket(run, task, masks, train, seed, opts.signal);
  return {
    run: run.dir,
    task: task.name,
    pruner,
    scope,
    multishot: opts.multishot ?? false,
    rounds: opts.multishot ? rounds : null,
    steps: train.training.steps,
    seed,
    density: found.ticket.density,
    planted_density: run.meta.density,
    layer_densities: layerDensities(masks),
    ticket: found.ticket,
    planted: { ...planted.ticket, init_rescaled: scoreOutputs(task, rescaled, task.test) },
    recovery: maskAgreement(masks, run.mask),
    collapse: layerCollapse(found.model, masks),
    seconds: (Date.now() - started) / 1000,
  };
}
