// One SuperTickets run (You et al., ECCV 2022): the supernet trains while it both slims channels (L1 on the BN scales
// after the depthwise convs, ramped in; channels under the threshold cut at every pruning step) and prunes weights
// progressively (global magnitude on the prunable weights, +0.1 every `interval` epochs up to the target, no
// rewinding, pruned weights able to return as the reactivation mode says). Stored as
//   <root>/supertickets_<hash>/seed_<s>/{result.json, arch.json, final.safetensors, mask.safetensors}
// and found again by an identical command; a run stopped before the end resumes from its last finished epoch
// (checkpoint.ts).
import fs from 'node:fs';
import path from 'node:path';
import { Tensor } from '../engine/tensor.js';
import { backward } from '../engine/autograd.js';
import { Rng } from '../engine/rng.js';
import { lotteryDefaults } from '../hparams/defaults.js';
import { nonDefaults } from '../hparams/diff.js';
import { modelCost } from '../models/cost.js';
import type { SupernetArch } from '../models/supernet.js';
import { initializeModel } from '../nn/reset.js';
import { buildOptimizer } from '../nn/optim/build.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { applyMasks, denseMasks, totalDensity, type Masks } from '../pruning/masks.js';
import { createExperimentDir } from '../store/experiment-dir.js';
import { writeFileAtomic } from '../store/atomic.js';
import { acquireLock } from '../store/lock.js';
import { loadMasks, loadTensors, saveMasks, saveTensors } from '../store/weights.js';
import { evaluate } from '../training/evaluate.js';
import { prepareRun } from '../training/run-data.js';
import type { Dataset } from '../data/types.js';
import { ConfigError, InterruptedError, UserError } from '../util/errors.js';
import { readJson } from '../store/json.js';
import type { InitName } from '../nn/init.js';
import { Supernet } from '../models/supernet.js';
import { z } from 'zod';
import { loadSuperTicketCheckpoint, saveSuperTicketCheckpoint } from './checkpoint.js';
import { addL1Subgradient, carry, carryOptimizerState, cutChannels, narrowedBranches, planCut } from './slimming.js';
import {
  PRUNE_STEP,
  prunedFraction,
  pruningStep,
  RawWeights,
  REACTIVATION_MODES,
  type Reactivation,
} from './progressive.js';

export const SUPERTICKET_DATASETS = ['mnist', 'fashion_mnist'] as const;
export const SEARCH_ORDERS = ['joint', 'search-then-prune', 'prune-then-search'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];
export type SuperTicketDataset = (typeof SUPERTICKET_DATASETS)[number];

export interface SuperTicketSettings {
  dataset: SuperTicketDataset;
  /** Fraction of the prunable weights pruned at the end, in [0, 1). */
  targetRatio: number;
  epochs: number;
  /** Epochs between pruning steps (the reference's 25 on ImageNet, scaled to a short run). */
  interval: number;
  reactivation: Reactivation;
  /** L1 strength on the slimming scales (ramped in linearly over the first pruning interval). */
  l1: number;
  /** Channels whose |BN scale| falls below this are cut (the reference's 1e-3). */
  threshold: number;
  /** Training examples used (0: all); a quick look or a test, not the study. */
  examples: number;
  /** Test examples scored, the test set's first ones (0: all); a quick look or a test, not the study. */
  testExamples: number;
  /**
   * The paper's method and its two baselines: search and prune together (joint); search for the first half of the
   * epochs, then prune once to the target and fine-tune (search-then-prune); prune once at initialization to the
   * target, then search (prune-then-search).
   */
  order: SearchOrder;
  /**
   * Transfer: a stored SuperTickets run (its seed directory, or its experiment directory holding this seed) whose
   * ticket becomes the backbone here: its architecture, weights and masks, a new dense classifier head, trained
   * `epochs` more on this dataset without further search or pruning. '' for a search.
   */
  transferFrom: string;
  /**
   * The transfer's control: the source ticket's architecture and masks with fresh random weights (a random reinit, as
   * in the lottery papers), so the transferred weights' own worth shows.
   */
  transferReinit: boolean;
  seed: number;
}

export const SUPERTICKET_DEFAULTS: SuperTicketSettings = {
  dataset: 'mnist',
  targetRatio: 0.5,
  epochs: 6,
  interval: 1,
  reactivation: 'implicit',
  l1: 1e-4,
  threshold: 1e-3,
  examples: 0,
  testExamples: 0,
  order: 'joint',
  transferFrom: '',
  transferReinit: false,
  seed: 0,
};

export interface SuperTicketResult {
  run: string;
  dataset: SuperTicketDataset;
  /** Multiply-accumulates per example at the masks' densities, and of the architecture dense. */
  flops: number;
  dense_flops: number;
  params: number;
  density: number;
  test_accuracy: number;
  /** Test examples the accuracy was measured on. */
  test_examples: number;
  architecture: SupernetArch;
  channels_cut: number;
  order: SearchOrder;
  /** The run the backbone came from, when transferred, and whether its weights were drawn afresh (the control). */
  transferred_from: string | null;
  transfer_reinit: boolean;
  seconds: number;
  reused: boolean;
}

export function validateSuperTickets(s: SuperTicketSettings): void {
  if (!SUPERTICKET_DATASETS.includes(s.dataset))
    throw new ConfigError(`unknown dataset '${s.dataset}'; choose from ${SUPERTICKET_DATASETS.join(', ')}`);
  if (!(s.targetRatio >= 0 && s.targetRatio < 1))
    throw new ConfigError(`--target-ratio must lie in [0, 1), got ${s.targetRatio}`);
  if (!REACTIVATION_MODES.includes(s.reactivation))
    throw new ConfigError(`unknown --reactivation '${s.reactivation}'; choose from ${REACTIVATION_MODES.join(', ')}`);
  for (const [flag, v] of [
    ['--epochs', s.epochs],
    ['--interval', s.interval],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${flag} must be a positive integer, got ${v}`);
  if (!(s.l1 >= 0 && Number.isFinite(s.l1))) throw new ConfigError(`--l1 must be ≥ 0, got ${s.l1}`);
  if (!SEARCH_ORDERS.includes(s.order))
    throw new ConfigError(`unknown --order '${s.order}'; choose from ${SEARCH_ORDERS.join(', ')}`);
  const steps = Math.ceil(s.targetRatio / PRUNE_STEP - 1e-9);
  if (s.order === 'joint' && s.transferFrom === '' && steps * s.interval > s.epochs)
    throw new ConfigError(
      `--target-ratio ${s.targetRatio} takes ${steps} pruning steps of ${PRUNE_STEP}, one every ${s.interval} ` +
        `epoch(s): it needs --epochs ≥ ${steps * s.interval}, got ${s.epochs}`,
    );
  if (s.transferReinit && s.transferFrom === '')
    throw new ConfigError('--transfer-reinit is a control of a transfer: give --transfer-from too');
  if (s.order === 'search-then-prune' && s.epochs < 2)
    throw new ConfigError('--order search-then-prune needs at least 2 epochs: half search, half fine-tuning');
  for (const [flag, v] of [
    ['--examples', s.examples],
    ['--test-examples', s.testExamples],
  ] as const)
    if (!(Number.isInteger(v) && v >= 0)) throw new ConfigError(`${flag} must be a non-negative integer, got ${v}`);
  // Every BN scale starts at 1: a threshold of 1 or more would cut every channel at the first epoch's end.
  if (!(s.threshold >= 0 && s.threshold < 1))
    throw new ConfigError(`--threshold must lie in [0, 1) (the BN scales start at 1), got ${s.threshold}`);
}

export async function runSuperTickets(o: {
  settings: SuperTicketSettings;
  root: string;
  signal?: AbortSignal;
  onStep?: (done: number, total: number, info: string) => void;
}): Promise<SuperTicketResult> {
  const s = o.settings;
  validateSuperTickets(s);
  const source = s.transferFrom ? transferSource(s.transferFrom, s.seed) : null;
  const { seed: _seed, ...rest } = s;
  const identity = { ...rest, transferFrom: source ? source.id : '' };
  const { seed: _d, ...defaults } = SUPERTICKET_DEFAULTS;
  const exp = createExperimentDir(o.root, 'supertickets', nonDefaults(identity, defaults), { settings: identity });
  const dir = path.join(exp.dir, `seed_${s.seed}`);
  const resultFile = path.join(dir, 'result.json');
  if (fs.existsSync(resultFile))
    return { ...(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SuperTicketResult), reused: true };
  fs.mkdirSync(dir, { recursive: true });
  const lock = await acquireLock(dir);
  try {
    const checkpoint = path.join(dir, 'checkpoint.safetensors');
    const r = await train(s, o, path.basename(exp.dir), source, checkpoint);
    saveTensors(path.join(dir, 'final.safetensors'), r.model, r.model.stateDict(), { kind: 'final', seed: s.seed });
    saveMasks(path.join(dir, 'mask.safetensors'), r.model, r.masks, { density: r.result.density, seed: s.seed });
    writeFileAtomic(path.join(dir, 'arch.json'), JSON.stringify(r.result.architecture) + '\n');
    writeFileAtomic(resultFile, JSON.stringify(r.result) + '\n');
    fs.rmSync(checkpoint, { force: true });
    return r.result;
  } finally {
    await lock.release();
  }
}

interface TransferSource {
  dir: string;
  /** `<experiment>/seed_<s>`: what names the source in this run's identity. */
  id: string;
}

/** The stored run a transfer starts from: a seed directory, or an experiment directory holding `seed_<seed>`. */
function transferSource(from: string, seed: number): TransferSource {
  const candidates = [path.resolve(from), path.join(path.resolve(from), `seed_${seed}`)];
  const dir = candidates.find((d) =>
    ['result.json', 'arch.json', 'final.safetensors', 'mask.safetensors'].every((f) => fs.existsSync(path.join(d, f))),
  );
  if (!dir)
    throw new UserError(
      `--transfer-from ${from} holds no finished SuperTickets run (result.json, arch.json, final and mask files, ` +
        `directly or in seed_${seed}/)`,
    );
  return { dir, id: `${path.basename(path.dirname(dir))}/${path.basename(dir)}` };
}

/** The first `n` examples of a dataset (all of them when n is 0 or larger than the set). */
function firstExamples(data: Dataset, n: number): Dataset {
  if (n === 0 || n >= data.size) return data;
  return { name: `${data.name}/first-${n}`, size: n, sampleShape: data.sampleShape, batch: (ids) => data.batch(ids) };
}

/** The source's ticket as this dataset's backbone: its architecture, weights and masks, and a new dense head. */
function transferredModel(
  source: TransferSource,
  modelName: string,
  s: SuperTicketSettings,
  init: InitName,
): { model: Supernet; masks: Masks } {
  const arch = readJson(
    path.join(source.dir, 'arch.json'),
    z.custom<SupernetArch>((v) => typeof v === 'object' && v !== null && Array.isArray((v as SupernetArch).blocks)),
  );
  const model = new Supernet(modelName, s.dataset, arch);
  initializeModel(model, s.seed, init);
  const head = new Set(['fc.weight', 'fc.bias']);
  const weights = loadTensors(path.join(source.dir, 'final.safetensors')).values;
  if (!s.transferReinit) {
    const state = new Map([...model.stateDict()].map(([n, v]) => [n, head.has(n) ? v : (weights.get(n) ?? v)]));
    model.loadStateDict(state);
  }
  const masks = loadMasks(path.join(source.dir, 'mask.safetensors'), model);
  masks.get('fc.weight')!.fill(1);
  return { model, masks };
}

async function train(
  s: SuperTicketSettings,
  o: { signal?: AbortSignal; onStep?: (done: number, total: number, info: string) => void },
  run: string,
  source: TransferSource | null,
  checkpoint: string,
): Promise<{ model: Supernet; masks: Masks; result: SuperTicketResult }> {
  const modelName = `${s.dataset}_supernet`;
  const h = lotteryDefaults(modelName);
  const prepared = await prepareRun(modelName, h.dataset, undefined);
  let model = prepared.model as Supernet;
  let masks: Masks;
  if (source) ({ model, masks } = transferredModel(source, modelName, s, h.model.init));
  else {
    initializeModel(model, s.seed, h.model.init);
    masks = denseMasks(model);
  }
  const searching = source === null;
  const newOptimizer = (m: Supernet) => buildOptimizer(m.parameters(), h.training);
  let opt: Optimizer = newOptimizer(model);
  applyMasks(model, masks);
  const raw = new RawWeights();
  const train = prepared.data.train;
  const used = s.examples > 0 ? Math.min(s.examples, train.size) : train.size;
  const batch = Math.min(h.dataset.batchSize, used);
  const ipe = Math.floor(used / batch);
  const total = s.epochs * ipe;
  const rng = Rng.stream(s.seed, 'supertickets-batches');
  const order = Int32Array.from({ length: train.size }, (_, i) => i);
  const baseLr = opt.lr;
  let step = 0;
  let cutTotal = 0;
  let fraction = 0;
  /** Prunes to `to` of the prunable weights from the current weights and mask, as `mode` says. */
  const prune = (to: number, mode: Reactivation) => {
    fraction = to;
    for (const [, p] of model.prunableParameters()) p.setMask(null);
    const weights = new Map(model.prunableParameters().map(([n, p]) => [n, p.data]));
    const stepResult = pruningStep(weights, masks, fraction, mode, raw);
    for (const [n, p] of model.prunableParameters()) p.data.set(stepResult.values.get(n)!);
    masks = stepResult.train;
    applyMasks(model, masks);
  };
  const half = Math.floor(s.epochs / 2);
  // Whether the channels are searched (L1 on, cuts at the epoch's end) in this epoch.
  const searchesIn = (epoch: number) => searching && (s.order !== 'search-then-prune' || epoch < half);
  let first = 0;
  let seconds = 0;
  const resumed = loadSuperTicketCheckpoint(checkpoint, modelName, s.dataset);
  if (resumed) {
    ({ model, masks } = resumed);
    ({ epoch: first, step, fraction, cut: cutTotal, seconds } = resumed.loop);
    raw.restore(resumed.raw);
    opt = newOptimizer(model);
    opt.loadStateDict(resumed.optimizer);
    applyMasks(model, masks);
    for (let e = 0; e < first; e++) rng.shuffle(order); // the batch order of the epochs already trained
  } else if (searching && s.order === 'prune-then-search') prune(s.targetRatio, 'none'); // once, at initialization
  const t0 = process.hrtime.bigint();
  const elapsed = () => seconds + Number(process.hrtime.bigint() - t0) / 1e9;
  model.train();
  for (let epoch = first; epoch < s.epochs; epoch++) {
    rng.shuffle(order);
    // With --examples, each epoch draws its examples afresh from the whole training set.
    for (let it = 0; it < ipe; it++, step++) {
      if (o.signal?.aborted)
        throw new InterruptedError(`stopped at step ${step} of ${total}; rerun to resume from epoch ${epoch + 1}`);
      const ids = order.subarray(it * batch, (it + 1) * batch);
      const { x, y } = train.batch(ids);
      opt.lr = 0.5 * baseLr * (1 + Math.cos((Math.PI * step) / total)); // cosine decay to 0
      opt.zeroGrad();
      const loss = prepared.loss(model.forward(new Tensor(x, [ids.length, ...train.sampleShape])), y);
      if (!Number.isFinite(loss.item())) throw new ConfigError(`the loss became ${loss.item()} at step ${step + 1}`);
      backward(loss);
      if (searchesIn(epoch)) addL1Subgradient(model, s.l1 * Math.min(1, step / (s.interval * ipe)));
      opt.step();
      if (step % 20 === 0) {
        o.onStep?.(step, total, `epoch ${epoch + 1}/${s.epochs}, pruned ${(100 * fraction).toFixed(0)}%`);
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    // The end of an epoch: cut the channels the L1 penalty silenced, then take the next pruning step when it is due.
    if (searching) {
      const plan = searchesIn(epoch) ? planCut(model, s.threshold, 'keep-strongest') : null;
      if (plan && plan.cut > 0) {
        const surgery = cutChannels(model, plan, masks);
        const state = carryOptimizerState(opt.stateDict(), model, surgery, plan);
        const shapes = new Map(model.prunableParameters().map(([n, p]) => [n, p.shape]));
        const narrowed = narrowedBranches(model, plan);
        // The pruned weights' remembered values follow their channels, so implicit reactivation survives the cut.
        raw.reshape((n, v) => carry(n, v, shapes.get(n)!, plan));
        model = surgery.model;
        masks = surgery.masks!;
        if (s.reactivation === 'fresh')
          // A narrowed block starts over with a full mask: its pruned weights return with their remembered values.
          for (const [n, p] of model.prunableParameters()) {
            if (!narrowed.some((b) => n.startsWith(`${b}.`))) continue;
            const m = masks.get(n)!;
            p.data.set(raw.raw(new Map([[n, p.data]]), new Map([[n, m]])).get(n)!);
            m.fill(1);
          }
        applyMasks(model, masks);
        opt = newOptimizer(model);
        opt.loadStateDict(state);
        cutTotal += plan.cut;
        model.train();
      }
      if (s.order === 'joint') {
        const due = prunedFraction(epoch, s.interval, s.targetRatio);
        // Masks reset after each step until the target; the step that reaches it keeps its mask, and the epochs
        // left train the ticket itself (as every other mode does).
        const mode = s.reactivation === 'reset' && due >= s.targetRatio ? 'implicit' : s.reactivation;
        if (due > fraction) prune(due, mode);
      } else if (s.order === 'search-then-prune' && epoch === half - 1) prune(s.targetRatio, 'none');
    }
    if (epoch + 1 < s.epochs)
      saveSuperTicketCheckpoint(checkpoint, {
        model,
        masks,
        raw: raw.entries(),
        optimizer: opt.stateDict(),
        loop: { epoch: epoch + 1, step, fraction, cut: cutTotal, seconds: elapsed() },
      });
  }
  seconds = elapsed();
  applyMasks(model, masks);
  const testSet = firstExamples(prepared.data.test, s.testExamples);
  const test = evaluate(model, testSet, prepared.loss, prepared.evalBatchSize);
  const cost = modelCost(model);
  return {
    model,
    masks,
    result: {
      run,
      dataset: s.dataset,
      flops: Math.round(cost.keptMacs),
      dense_flops: cost.macs,
      params: cost.keptParams,
      density: totalDensity(masks),
      test_accuracy: test.accuracy ?? 0,
      test_examples: testSet.size,
      architecture: model.arch,
      channels_cut: cutTotal,
      order: s.order,
      transferred_from: source?.id ?? null,
      transfer_reinit: s.transferReinit,
      seconds,
      reused: false,
    },
  };
}
