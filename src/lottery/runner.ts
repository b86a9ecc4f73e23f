// Iterative magnitude pruning with reset or rewinding (Frankle & Carbin 2019; Frankle et al. 2020), and its
// branches. Level 0 trains the dense network; each next level prunes the previous level's trained weights,
// resets the survivors to θ0 (or rewinds them to θk) and retrains. Every finished level is stored, so an
// identical command reuses it and an interrupted one resumes from the last checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { hashString } from '../engine/rng.js';
import { initializeModel } from '../nn/reset.js';
import type { Model } from '../models/model.js';
import type { KernelPolicy } from '../nn/dispatch.js';
import type { LotteryHparams, ModelHparams, TrainingHparams } from '../hparams/groups.js';
import { flatten, nonDefaults } from '../hparams/diff.js';
import { denseMasks, totalDensity, type Masks } from '../pruning/masks.js';
import { hparamHash } from '../store/hash.js';
import { ensureWritableDir } from '../store/atomic.js';
import { progressFile } from '../store/progress-file.js';
import { acquireLock } from '../store/lock.js';
import { openIndex } from '../store/index-db.js';
import { checkReplicate, claimReplicate } from '../store/replicate.js';
import { prepareRun } from '../training/run-data.js';
import { removeStaleTempFiles } from '../store/stale-temp.js';
import { loadMasks, loadTensors, saveMasks, saveTensors, type Weights } from '../store/weights.js';
import { iterations, planTraining } from '../training/plan.js';
import { ConfigError, InterruptedError } from '../util/errors.js';
import type { Branch } from './branches/branch.js';
import { LotteryExperiment } from './experiment.js';
import { FILES, levelDir, runId, TRUNK } from './layout.js';
import { runLevel, type ReplicateContext } from './level.js';
import { nextMask } from './prune-step.js';
import type { LevelRecord } from './record.js';

export interface LotteryOptions {
  hparams: LotteryHparams;
  /** Pruning levels after the dense level 0. */
  levels: number;
  replicate: number;
  seed: number;
  root: string;
  branches: Branch[];
  /** Training hyperparameters of the `retrain` branch. */
  retrain?: TrainingHparams;
  dataDir?: string;
  checkpointEvery: number;
  /** Kernel policy for masked layers: auto (timed per level), dense or sparse. */
  kernels?: KernelPolicy;
  signal?: AbortSignal;
  onLevel?: (r: LevelRecord) => void;
  onStep?: (done: number, total: number, info: string) => void;
}

/** A seed for a branch's randomness at a level, independent of the trunk's streams. */
export function branchSeed(seed: number, branch: string, level: number): number {
  return hashString(`${seed}/${branch}/${level}`) & 0x7fffffff;
}

/** The directory name of a branch: its name, or for `retrain` its name and the hash of what it changes. */
function branchDir(b: Branch, trunk: TrainingHparams, retrain: TrainingHparams | undefined): string {
  if (!b.ownTraining) return b.name;
  if (!retrain) throw new ConfigError(`the ${b.name} branch needs training hyperparameters (--${b.name}-* flags)`);
  const diff = nonDefaults({ training: retrain }, { training: trunk });
  if (Object.keys(diff).length === 0)
    throw new ConfigError(`the ${b.name} branch needs at least one --${b.name}-* flag that differs from the trunk`);
  return `${b.name}_${hparamHash(diff)}`;
}

export async function runLottery(o: LotteryOptions): Promise<LevelRecord[]> {
  const h = o.hparams;
  if (!Number.isInteger(o.levels) || o.levels < 0 || o.levels > 100)
    throw new ConfigError(`--levels must be an integer in [0, 100], got ${o.levels}`);
  const found = LotteryExperiment.find(o.root, h, o.levels);
  if (!found) ensureWritableDir(o.root);
  const { model, data, loss, evalBatchSize, fingerprint } = await prepareRun(h.model.model, h.dataset, o.dataDir);
  const ipe = planTraining(h, data.train.size, o.seed).iterationsPerEpoch;
  const steps = iterations(h.training.steps, ipe);
  const rewindStep = iterations(h.pruning.rewind, ipe, '--rewind');
  if (rewindStep >= steps)
    throw new ConfigError(
      `--rewind ${h.pruning.rewind} (${rewindStep} iterations) must be earlier than the end of training (${steps})`,
    );
  const branches = o.branches.map((b) => ({
    branch: b,
    dir: branchDir(b, h.training, o.retrain),
    training: b.ownTraining ? o.retrain! : h.training,
  }));
  const replicateId = { seed: o.seed, data: fingerprint };
  const rerun = 'use another --replicate for a new seed or data';
  const stored = finishedRecords(
    found,
    o,
    branches.map((b) => b.dir),
  );
  if (stored) {
    // Everything is stored: report it without taking the lock or writing, so a read-only root works too.
    checkReplicate(found!.replicateDir(o.replicate), replicateId, rerun);
    for (const r of stored) o.onLevel?.(r);
    return stored;
  }
  const exp = LotteryExperiment.create(o.root, h, o.levels);
  const repDir = exp.replicateDir(o.replicate);
  const lock = await acquireLock(repDir);
  try {
    claimReplicate(repDir, replicateId, rerun);
  } catch (e) {
    await lock.release();
    throw e;
  }
  removeStaleTempFiles(repDir, { recursive: true });
  const index = openIndex(o.root);
  const records: LevelRecord[] = [];
  const branchSteps = (b: (typeof branches)[number]) =>
    iterations(b.training.steps, ipe) - (b.branch.freshInit ? 0 : rewindStep);
  const total = steps + o.levels * (steps - rewindStep + branches.reduce((s, b) => s + branchSteps(b), 0));
  let done = 0;
  const progress = progressFile(repDir);
  const ctx: ReplicateContext = {
    exp,
    model,
    data,
    loss,
    evalBatchSize,
    replicate: o.replicate,
    seed: o.seed,
    levels: o.levels,
    lock,
    index,
    checkpointEvery: o.checkpointEvery,
    kernels: o.kernels ?? 'auto',
    signal: o.signal,
    onStep: (n, info) => {
      progress.report(done + n, total, info);
      o.onStep?.(done + n, total, info);
    },
    onLevel: (r) => {
      records.push(r);
      o.onLevel?.(r);
    },
  };
  const indexRuns = (status: 'running' | 'done' | 'interrupted' | 'failed') => {
    for (const b of [TRUNK, ...branches.map((x) => x.dir)])
      index.upsertRun({
        id: runId(exp.hash, o.replicate, b),
        kind: 'lottery',
        model: h.model.model,
        dir: repDir,
        hparams: { ...flatten(h), replicate: o.replicate, seed: o.seed, branch: b },
        status,
      });
  };
  try {
    indexRuns('running');
    const theta0 = loadOrCreateTheta0(ctx, repDir);
    for (let level = 0; level <= o.levels; level++) {
      const masks = trunkMask(ctx, o, level);
      const rewindFile = path.join(repDir, FILES.rewind);
      const start = level === 0 || rewindStep === 0 ? theta0 : loadTensors(rewindFile).values;
      const rewind =
        level === 0 && rewindStep > 0 && !fs.existsSync(rewindFile)
          ? { step: rewindStep, file: rewindFile }
          : undefined;
      await runLevel(ctx, {
        level,
        branch: TRUNK,
        masks,
        start,
        startStep: level === 0 ? 0 : rewindStep,
        training: h.training,
        rewind,
      });
      done += steps - (level === 0 ? 0 : rewindStep);
      if (level === 0) continue;
      for (const b of branches) {
        const seed = branchSeed(o.seed, b.branch.name, level);
        let bStart = start;
        if (b.branch.freshInit) bStart = freshWeights(model, seed, h.model);
        const bMasks = b.branch.masks?.({ masks, hparams: h, seed }) ?? masks;
        await runLevel(ctx, {
          level,
          branch: b.dir,
          masks: bMasks,
          start: bStart,
          startStep: b.branch.freshInit ? 0 : rewindStep,
          training: b.training,
        });
        done += branchSteps(b);
      }
    }
    indexRuns('done');
  } catch (e) {
    indexRuns(e instanceof InterruptedError ? 'interrupted' : 'failed');
    throw e;
  } finally {
    progress.finish();
    index.close();
    await lock.release();
  }
  return records;
}

/** Every level's stored record (trunk, then branches), or null when any is missing. */
function finishedRecords(exp: LotteryExperiment | null, o: LotteryOptions, branchDirs: string[]): LevelRecord[] | null {
  if (!exp) return null;
  const out: LevelRecord[] = [];
  for (let level = 0; level <= o.levels; level++) {
    for (const b of level === 0 ? [TRUNK] : [TRUNK, ...branchDirs]) {
      const r = exp.record(o.replicate, level, b);
      if (!r) return null;
      out.push({ ...r, reused: true });
    }
  }
  return out;
}

/**
 * θ0, or the random-reinit control's fresh draw of it: weights from `init`, biases from `biasInit`. Zero biases
 * stay zero in the control, as in the LTH reference code, whose reinit redraws weights only.
 */
export function freshWeights(model: Model, seed: number, m: ModelHparams): Weights {
  initializeModel(model, seed, m.init, m.biasInit);
  return model.stateDict();
}

function loadOrCreateTheta0(ctx: ReplicateContext, repDir: string): Weights {
  const file = path.join(repDir, FILES.theta0);
  if (fs.existsSync(file)) return loadTensors(file).values;
  const w = freshWeights(ctx.model, ctx.seed, ctx.exp.hparams.model);
  ctx.lock.assertHeld();
  saveTensors(file, ctx.model, w, { kind: 'theta0', seed: ctx.seed, level: 0, density: 1 });
  return w;
}

/** Level 0: dense. Level L: stored mask, or pruned from level L-1's trained weights and mask. */
function trunkMask(ctx: ReplicateContext, o: LotteryOptions, level: number): Masks {
  const { model } = ctx;
  for (const [, p] of model.prunableParameters()) p.setMask(null);
  if (level === 0) return denseMasks(model);
  const repDir = ctx.exp.replicateDir(ctx.replicate);
  const file = path.join(levelDir(repDir, level), FILES.mask);
  if (fs.existsSync(file)) return loadMasks(file, model);
  const prevDir = levelDir(repDir, level - 1);
  const prevMask = level === 1 ? denseMasks(model) : loadMasks(path.join(prevDir, FILES.mask), model);
  const trained = loadTensors(path.join(prevDir, FILES.final)).values;
  const masks = nextMask(model, trained, prevMask, o.hparams.pruning, level, o.levels);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  ctx.lock.assertHeld();
  saveMasks(file, model, masks, { level, density: totalDensity(masks), seed: ctx.seed });
  return masks;
}
