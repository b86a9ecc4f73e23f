// `seek`: can a pruning-at-initialization method find the planted ticket? Prune the planted network (random
// mother weights with the target inside) with a pruner — single-shot, or multishot (rounds of 5 epochs of training,
// pruning to ρ^(r/R), resetting the weights) — train the ticket, and compare it with the planted ticket trained the
// same way from the same weights, plus the mask's precision / recall / Jaccard against the ground truth and layer
// collapse (both on the weights). Biases are pruned with the weights unless told otherwise (the paper's setting);
// SNIP and GraSP score on the reference's prune set of 40 distinct training samples.
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
import { MULTISHOT_EPOCHS, PLANTED_DEFAULTS, PRUNE_BIAS, PRUNE_SAMPLES, type PlantedTraining } from './hparams.js';
import { plantedTicketMasks, weightMasks } from './masks.js';
import { plantedTicket } from './planted-ticket.js';

export interface SeekOptions {
  pruner: PrunerName;
  /**
   * Fraction of prunable parameters kept (weights, and biases when pruned), or 'planted' for the ground truth's
   * density (planted edges / weights, as the reference's `--sparsity -1`).
   */
  density: number | 'planted';
  /** Prune biases with the weights (default: the paper's, on). */
  pruneBias?: boolean;
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
  prune_bias: boolean;
  /** Fraction of prunable parameters kept (biases included when pruned). */
  density: number;
  /** Fraction of weights kept. */
  weight_density: number;
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

function plantedModel(run: PlantedRun, mask: Masks | null, pruneBias: boolean): PlantedMlp {
  const model = new PlantedMlp(run.meta.widths, pruneBias);
  model.loadStateDict(run.params);
  if (mask) applyMasks(model, mask);
  return model;
}

/** Evaluates at init, trains (the seed fixes the batch order), evaluates on the test split. */
async function trainTicket(
  run: PlantedRun,
  task: Task,
  mask: Masks,
  o: { train: PlantedTraining; seed: number; pruneBias: boolean; signal?: AbortSignal },
): Promise<{ model: PlantedMlp; ticket: TrainedTicket }> {
  const model = plantedModel(run, mask, o.pruneBias);
  const init = evaluate(model, task, task.test);
  const { trainLoss } = await trainOnTask(model, task, { ...o.train, seed: o.seed, signal: o.signal });
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
  const pruneBias = opts.pruneBias ?? PRUNE_BIAS;
  const truth = plantedTicketMasks(run.mask, run.meta.widths, pruneBias);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new ConfigError(`rounds must be a positive integer, got ${rounds}`);
  const task = makeTask(run.meta.task, run.meta.task_seed);

  // The planted ticket: its output ÷ scale is the target; trained like any other ticket.
  opts.onStage?.('training the planted ticket');
  const ticketOpts = { train, seed, pruneBias, signal: opts.signal };
  const planted = await plantedTicket(
    run,
    { train, seed, pruneBias },
    async () => (await trainTicket(run, task, truth, ticketOpts)).ticket,
  );
  const raw = predict(plantedModel(run, truth, pruneBias), task, task.test);
  const rescaled = raw.map((v, i) => v / run.meta.scale[i % task.outDim]!);

  opts.onStage?.(`pruning with ${pruner}${opts.multishot ? ` (multishot, ${rounds} rounds)` : ''}`);
  const model = plantedModel(run, null, pruneBias);
  const batch = gather(task, task.train, pruneSample(task.train.n, seed));
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
  const found = await trainTicket(run, task, masks, ticketOpts);
  return {
    run: run.dir,
    task: task.name,
    pruner,
    scope,
    multishot: opts.multishot ?? false,
    rounds: opts.multishot ? rounds : null,
    steps: train.training.steps,
    seed,
    prune_bias: pruneBias,
    density: found.ticket.density,
    weight_density: totalDensity(weightMasks(masks)),
    planted_density: run.meta.density,
    layer_densities: layerDensities(masks),
    ticket: found.ticket,
    planted: { ...planted, init_rescaled: scoreOutputs(task, rescaled, task.test) },
    recovery: maskAgreement(weightMasks(masks), run.mask),
    collapse: layerCollapse(found.model, weightMasks(masks)),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The prune batch: PRUNE_SAMPLES distinct training rows (fewer if the split is smaller), seeded. */
export function pruneSample(n: number, seed: number): Int32Array {
  const rng = new Rng(seed, 'planted-prune-batch');
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const k = Math.min(PRUNE_SAMPLES, n);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, k);
}
