// Iterative magnitude pruning with reset or rewinding (Frankle & Carbin 2019; Frankle et al. 2020), and its
// branches. Level 0 trains the dense network; each next level prunes the previous level's trained weights,
// resets the survivors to θ0 (or rewinds them to θk) and retrains. Every finished level is stored, so an
// identical command reuses it and an interrupted one resumes from the last checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { createModel } from '../models/registry.js';
import type { Model } from '../models/model.js';
import { loadDataset } from '../data/by-name.js';
import { BatchSampler } from '../data/sampler.js';
import { initializeModel } from '../nn/reset.js';
import type { LotteryHparams, TrainingHparams } from '../hparams/groups.js';
import { lotteryDefaults } from '../hparams/defaults.js';
import { nonDefaults, flatten } from '../hparams/fields.js';
import { denseMasks, layerDensities, totalDensity, type Masks } from '../pruning/masks.js';
import { randomizeGlobal, randomizeLayerwise } from '../pruning/random.js';
import { hparamHash, stableStringify } from '../store/hash.js';
import { ensureWritableDir, writeFileAtomic } from '../store/atomic.js';
import { acquireLock, type RunLock } from '../store/lock.js';
import { openIndex, type RunIndex } from '../store/index-db.js';
import { parseSteps, toIterations } from '../util/steps.js';
import { ConfigError } from '../util/errors.js';
import { experimentDir, FILES, levelDir, replicateDir, runId, TRUNK } from './layout.js';
import { loadMasks, loadTensors, saveMasks, saveTensors, type Weights } from './tensors.js';
import { nextMask } from './prune-step.js';
import { trainLevel, totalIterations, type LevelData, type LevelOutcome } from './level-trainer.js';
import { branchSeed, type BranchName } from './branches.js';
import type { KernelChoice, KernelPolicy } from '../nn/dispatch.js';

export interface LotteryOptions {
  hparams: LotteryHparams;
  /** Pruning levels after the dense level 0. */
  levels: number;
  replicate: number;
  seed: number;
  root: string;
  branches: BranchName[];
  /** Training hyperparameters of the `retrain` branch. */
  retrain?: TrainingHparams;
  dataDir?: string;
  checkpointEvery: number;
  /** Kernel policy for masked layers: auto (timed per level), dense or sparse. */
  kernels?: KernelPolicy;
  onLevel?: (r: LevelRecord) => void;
  onStep?: (done: number, total: number, info: string) => void;
}

export interface LevelRecord {
  experiment: string;
  replicate: number;
  branch: string;
  level: number;
  density: number;
  layer_density: Record<string, number>;
  test_accuracy: number;
  best_test_accuracy: number;
  early_stop_step: number;
  early_stop_test_accuracy: number;
  steps: number;
  seconds: number;
  reused: boolean;
  dir: string;
  kernels: KernelChoice[];
  curve: LevelOutcome['curve'];
}

export interface ExperimentIds {
  hash: string;
  dir: string;
  nonDefault: Record<string, unknown>;
}

/**
 * The experiment a set of hyperparameters names: hash of the non-default fields. With a target density the
 * masks depend on the number of levels too, so it joins the hash.
 */
export function experimentOf(h: LotteryHparams, root: string, levels?: number): ExperimentIds {
  const nd = nonDefaults(h, lotteryDefaults(h.model.model));
  if (h.pruning.targetDensity > 0) nd['pruning.levels'] = levels;
  const hash = hparamHash(nd);
  return { hash, dir: experimentDir(root, hash), nonDefault: nd };
}

function branchDirName(branch: BranchName, retrain: TrainingHparams | undefined, trunk: TrainingHparams): string {
  if (branch !== 'retrain') return branch;
  if (!retrain) throw new ConfigError('the retrain branch needs training hyperparameters (--retrain-* flags)');
  const diff: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(retrain)) if (stableStringify(v) !== stableStringify((trunk as unknown as Record<string, unknown>)[k])) diff[k] = v;
  if (Object.keys(diff).length === 0) throw new ConfigError('the retrain branch needs at least one --retrain-* flag that differs from the trunk');
  return `retrain_${hparamHash(diff)}`;
}

export async function runLottery(o: LotteryOptions): Promise<LevelRecord[]> {
  const h = o.hparams;
  if (!Number.isInteger(o.levels) || o.levels < 0 || o.levels > 100) throw new ConfigError(`--levels must be an integer in [0, 100], got ${o.levels}`);
  ensureWritableDir(o.root);
  const exp = experimentOf(h, o.root, o.levels);
  ensureWritableDir(exp.dir, 'experiment directory');
  const hpFile = path.join(exp.dir, FILES.hparams);
  if (!fs.existsSync(hpFile)) writeFileAtomic(hpFile, JSON.stringify({ hparams: h, non_default: exp.nonDefault }, null, 2) + '\n');

  const model = createModel(h.model.model);
  const { train: fullTrain, test } = loadDataset(model.dataset, o.dataDir);
  const split = h.dataset.validation > 0 ? fullTrain.split(h.dataset.validation, 0) : { train: fullTrain, validation: null };
  const data: LevelData = { train: split.train, validation: split.validation, test };
  const ipe = new BatchSampler(data.train.size, h.dataset.batchSize, o.seed).iterationsPerEpoch;
  const rewindStep = toIterations(parseSteps(h.rewind, '--rewind'), ipe);
  const steps = totalIterations(h.training, ipe);
  if (rewindStep >= steps) throw new ConfigError(`--rewind ${h.rewind} (${rewindStep} iterations) must be earlier than the end of training (${steps})`);

  const repDir = replicateDir(exp.dir, o.replicate);
  const lock = await acquireLock(repDir);
  const index = openIndex(o.root);
  const records: LevelRecord[] = [];
  try {
    const branchDirs = o.branches.map((b) => ({ branch: b, name: branchDirName(b, o.retrain, h.training) }));
    const branchSteps = (b: BranchName) => (b === 'retrain' ? totalIterations(o.retrain!, ipe) - rewindStep : b === 'random_reinit' ? steps : steps - rewindStep);
    const total = steps + o.levels * (steps - rewindStep) + o.levels * branchDirs.reduce((s, b) => s + branchSteps(b.branch), 0);
    let done = 0;
    const ctx: Ctx = { o, model, data, lock, index, exp, repDir, rewindStep, records, onStep: (n, info) => o.onStep?.(done + n, total, info), advance: (n) => (done += n) };
    for (const b of [TRUNK, ...branchDirs.map((b) => b.name)])
      index.upsertRun({ id: runId(exp.hash, o.replicate, b), kind: 'lottery', model: h.model.model, dir: b === TRUNK ? repDir : repDir, hparams: { ...flatten(h), replicate: o.replicate, seed: o.seed, branch: b }, status: 'running' });

    const theta0 = loadOrCreateTheta0(ctx);
    for (let level = 0; level <= o.levels; level++) {
      const masks = trunkMask(ctx, level);
      const start = level === 0 || rewindStep === 0 ? theta0 : loadTensors(path.join(repDir, FILES.rewind)).values;
      await runLevel(ctx, { level, branch: TRUNK, masks, start, startStep: level === 0 ? 0 : rewindStep, training: h.training, seed: o.seed });
      if (level === 0) continue;
      for (const { branch, name } of branchDirs) {
        const s = branchSeed(o.seed, branch, level);
        let bMasks = masks;
        let bStart = start;
        let bStep = rewindStep;
        if (branch === 'random_reinit') {
          initializeModel(model, s, h.model.init);
          bStart = model.stateDict();
          bStep = 0;
        } else if (branch === 'random_prune') bMasks = randomizeLayerwise(masks, s);
        else if (branch === 'random_prune_global') bMasks = randomizeGlobal(masks, s, h.pruning.strategy === 'global' ? h.pruning.ignore : []);
        await runLevel(ctx, { level, branch: name, masks: bMasks, start: bStart, startStep: bStep, training: branch === 'retrain' ? o.retrain! : h.training, seed: o.seed });
      }
    }
    for (const b of [TRUNK, ...branchDirs.map((b) => b.name)])
      index.upsertRun({ id: runId(exp.hash, o.replicate, b), kind: 'lottery', model: h.model.model, dir: repDir, hparams: { ...flatten(h), replicate: o.replicate, seed: o.seed, branch: b }, status: 'done' });
  } finally {
    index.close();
    await lock.release();
  }
  return records;
}

interface Ctx {
  o: LotteryOptions;
  model: Model;
  data: LevelData;
  lock: RunLock;
  index: RunIndex;
  exp: ExperimentIds;
  repDir: string;
  rewindStep: number;
  records: LevelRecord[];
  onStep: (stepsIntoLevel: number, info: string) => void;
  advance: (steps: number) => void;
}

function loadOrCreateTheta0(ctx: Ctx): Weights {
  const file = path.join(ctx.repDir, FILES.theta0);
  if (fs.existsSync(file)) return loadTensors(file).values;
  initializeModel(ctx.model, ctx.o.seed, ctx.o.hparams.model.init);
  const w = ctx.model.stateDict();
  ctx.lock.assertHeld();
  saveTensors(file, ctx.model, w, { kind: 'theta0', seed: ctx.o.seed, level: 0, density: 1 });
  return w;
}

/** Level 0: dense. Level L: stored mask, or pruned from level L-1's trained weights and mask. */
function trunkMask(ctx: Ctx, level: number): Masks {
  const { model, repDir } = ctx;
  for (const [, p] of model.prunableParameters()) p.setMask(null);
  if (level === 0) return denseMasks(model);
  const file = path.join(levelDir(repDir, level), FILES.mask);
  if (fs.existsSync(file)) return loadMasks(file, model);
  const prevDir = levelDir(repDir, level - 1);
  const prevMask = level === 1 ? denseMasks(model) : loadMasks(path.join(prevDir, FILES.mask), model);
  const trained = loadTensors(path.join(prevDir, FILES.final)).values;
  const masks = nextMask(model, trained, prevMask, ctx.o.hparams.pruning, level, ctx.o.levels);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  ctx.lock.assertHeld();
  saveMasks(file, model, masks, { level, density: totalDensity(masks), seed: ctx.o.seed });
  return masks;
}

interface LevelJob {
  level: number;
  branch: string;
  masks: Masks;
  start: Weights;
  startStep: number;
  training: TrainingHparams;
  seed: number;
}

async function runLevel(ctx: Ctx, job: LevelJob): Promise<void> {
  const { o, model, repDir, exp } = ctx;
  const dir = levelDir(repDir, job.level, job.branch);
  const resultFile = path.join(dir, FILES.result);
  const density = totalDensity(job.masks);
  let record: LevelRecord;
  const stepsThisLevel = totalIterations(job.training, new BatchSampler(ctx.data.train.size, o.hparams.dataset.batchSize, job.seed).iterationsPerEpoch) - job.startStep;
  if (fs.existsSync(resultFile)) {
    record = { ...(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as LevelRecord), reused: true };
  } else {
    fs.mkdirSync(dir, { recursive: true });
    for (const [, p] of model.prunableParameters()) p.setMask(null);
    if (job.branch !== TRUNK || job.level === 0) saveMasks(path.join(dir, FILES.mask), model, job.masks, { level: job.level, density, seed: job.seed, branch: job.branch });
    const rewindFile = path.join(repDir, FILES.rewind);
    const info = `level ${job.level}/${o.levels}${job.branch === TRUNK ? '' : ` ${job.branch}`} (${(density * 100).toFixed(1)}%)`;
    const outcome = await trainLevel({
      model,
      masks: job.masks,
      start: job.start,
      startStep: job.startStep,
      training: job.training,
      dataset: o.hparams.dataset,
      seed: job.seed,
      data: ctx.data,
      dir,
      lock: ctx.lock,
      checkpointEvery: o.checkpointEvery,
      kernels: o.kernels ?? 'auto',
      rewindStep: job.level === 0 && job.branch === TRUNK && ctx.rewindStep > 0 && !fs.existsSync(rewindFile) ? ctx.rewindStep : undefined,
      onRewindPoint: (w) => {
        ctx.lock.assertHeld();
        saveTensors(rewindFile, model, w, { kind: 'rewind', step: ctx.rewindStep, seed: job.seed, level: 0, density: 1 });
      },
      onStep: (s) => ctx.onStep(s - job.startStep, info),
      meta: { level: job.level, branch: job.branch, seed: job.seed, density },
    });
    ctx.lock.assertHeld();
    saveTensors(path.join(dir, FILES.final), model, model.stateDict(), { kind: 'final', level: job.level, branch: job.branch, seed: job.seed, density });
    record = {
      experiment: `lottery_${exp.hash}`,
      replicate: o.replicate,
      branch: job.branch,
      level: job.level,
      density,
      layer_density: layerDensities(job.masks),
      test_accuracy: outcome.finalTestAccuracy,
      best_test_accuracy: outcome.bestTestAccuracy,
      early_stop_step: outcome.earlyStopStep,
      early_stop_test_accuracy: outcome.earlyStopTestAccuracy,
      steps: outcome.steps,
      seconds: outcome.seconds,
      reused: false,
      dir,
      kernels: outcome.kernels,
      curve: outcome.curve,
    };
    writeFileAtomic(resultFile, JSON.stringify(record) + '\n');
    fs.rmSync(path.join(dir, FILES.checkpoint), { force: true });
  }
  ctx.advance(stepsThisLevel);
  ctx.index.upsertLevel({
    runId: runId(exp.hash, o.replicate, job.branch),
    level: job.level,
    density: record.density,
    testAccuracy: record.test_accuracy,
    bestTestAccuracy: record.best_test_accuracy,
    earlyStopStep: record.early_stop_step,
    layerDensity: record.layer_density,
    data: { early_stop_test_accuracy: record.early_stop_test_accuracy, steps: record.steps, seconds: record.seconds, dir: record.dir },
  });
  ctx.records.push(record);
  o.onLevel?.(record);
}
