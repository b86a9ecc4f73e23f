// One level of a lottery run (of the trunk or of a branch): reused when its result is stored, else trained through
// the shared training run, then its final weights and result.json are stored and the run index updated.
import fs from 'node:fs';
import path from 'node:path';
import type { Model } from '../models/model.js';
import type { KernelPolicy } from '../nn/dispatch.js';
import { layerDensities, totalDensity, type Masks } from '../pruning/masks.js';
import type { TrainingHparams } from '../hparams/groups.js';
import type { RunLock } from '../store/lock.js';
import type { RunIndex } from '../store/index-db.js';
import { saveMasks, saveTensors, type Weights } from '../store/weights.js';
import { writeFileAtomic } from '../store/atomic.js';
import { atStep, onEveryStep } from '../training/callbacks.js';
import { CHECKPOINT_FILE, trainRun } from '../training/run.js';
import type { RunData } from '../training/run-data.js';
import type { LossFn } from '../training/loss.js';
import type { LotteryExperiment } from './experiment.js';
import { FILES, runId, TRUNK } from './layout.js';
import type { LevelRecord } from './record.js';

/** What every level of one replicate shares. */
export interface ReplicateContext {
  exp: LotteryExperiment;
  model: Model;
  data: RunData;
  loss: LossFn;
  evalBatchSize: number;
  replicate: number;
  seed: number;
  levels: number;
  lock: RunLock;
  index: RunIndex;
  checkpointEvery: number;
  kernels: KernelPolicy;
  signal?: AbortSignal;
  /** Progress within the current level. */
  onStep?: (stepsIntoLevel: number, info: string) => void;
  onLevel?: (r: LevelRecord) => void;
}

export interface LevelJob {
  level: number;
  /** Branch directory name (TRUNK for the trunk). */
  branch: string;
  masks: Masks;
  start: Weights;
  startStep: number;
  training: TrainingHparams;
  /** Store the weights after this many steps as the rewind point (level 0 of a rewinding run). */
  rewind?: { step: number; file: string };
}

export async function runLevel(ctx: ReplicateContext, job: LevelJob): Promise<LevelRecord> {
  const stored = ctx.exp.record(ctx.replicate, job.level, job.branch);
  const record = stored ? { ...stored, reused: true } : await trainLevel(ctx, job);
  ctx.index.upsertLevel({
    runId: runId(ctx.exp.hash, ctx.replicate, job.branch),
    level: job.level,
    density: record.density,
    testAccuracy: record.test_accuracy,
    bestTestAccuracy: record.best_test_accuracy,
    earlyStopStep: record.early_stop_step,
    layerDensity: record.layer_density,
    data: {
      early_stop_test_accuracy: record.early_stop_test_accuracy,
      steps: record.steps,
      seconds: record.seconds,
      dir: record.dir,
    },
  });
  ctx.onLevel?.(record);
  return record;
}

async function trainLevel(ctx: ReplicateContext, job: LevelJob): Promise<LevelRecord> {
  const { model, exp } = ctx;
  const dir = exp.levelDir(ctx.replicate, job.level, job.branch);
  const density = totalDensity(job.masks);
  const meta = { level: job.level, branch: job.branch, seed: ctx.seed, density };
  fs.mkdirSync(dir, { recursive: true });
  for (const [, p] of model.prunableParameters()) p.setMask(null);
  if (job.branch !== TRUNK || job.level === 0) saveMasks(path.join(dir, FILES.mask), model, job.masks, meta);
  const info = `level ${job.level}/${ctx.levels}${job.branch === TRUNK ? '' : ` ${job.branch}`} (${(density * 100).toFixed(1)}%)`;
  const rewind = job.rewind;
  const outcome = await trainRun({
    model,
    masks: job.masks,
    start: job.start,
    startStep: job.startStep,
    hparams: { dataset: exp.hparams.dataset, training: job.training },
    seed: ctx.seed,
    data: ctx.data,
    loss: ctx.loss,
    evalBatchSize: ctx.evalBatchSize,
    dir,
    checkpointEvery: ctx.checkpointEvery,
    kernels: ctx.kernels,
    beforeWrite: () => ctx.lock.assertHeld(),
    callbacks: [
      onEveryStep((s) => ctx.onStep?.(s.step - job.startStep, info)),
      ...(rewind ? [atStep(rewind.step, () => saveRewindPoint(ctx, rewind.file, rewind.step))] : []),
    ],
    meta,
    signal: ctx.signal,
  });
  ctx.lock.assertHeld();
  saveTensors(path.join(dir, FILES.final), model, model.stateDict(), { kind: 'final', ...meta });
  const accuracy = (a: number | null) => {
    if (a === null) throw new Error('a classifier run produced no test accuracy');
    return a;
  };
  const record: LevelRecord = {
    experiment: exp.name,
    replicate: ctx.replicate,
    branch: job.branch,
    level: job.level,
    density,
    layer_density: layerDensities(job.masks),
    test_accuracy: accuracy(outcome.finalTestAccuracy),
    best_test_accuracy: accuracy(outcome.bestTestAccuracy),
    early_stop_step: outcome.earlyStopStep,
    early_stop_test_accuracy: accuracy(outcome.earlyStopTestAccuracy),
    steps: outcome.steps,
    seconds: outcome.seconds,
    reused: false,
    dir,
    kernels: outcome.kernels,
    curve: outcome.curve.map((p) => ({ ...p, test_accuracy: accuracy(p.test_accuracy) })),
  };
  writeFileAtomic(path.join(dir, FILES.result), JSON.stringify(record) + '\n');
  fs.rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
  return record;
}

function saveRewindPoint(ctx: ReplicateContext, file: string, step: number): void {
  ctx.lock.assertHeld();
  saveTensors(file, ctx.model, ctx.model.stateDict(), { kind: 'rewind', step, seed: ctx.seed, level: 0, density: 1 });
}
