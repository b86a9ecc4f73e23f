// Trains one level of a lottery run: from given starting weights and a mask, for the level's iterations, with
// validation and test evaluation every `evalEvery` iterations (the curve), the early-stopping iteration
// (minimum validation loss), periodic checkpoints, and resumption from the last checkpoint after a crash.
// Resumed training is bit-identical to uninterrupted training: the checkpoint holds weights, buffers,
// optimizer state and the curve; data order and augmentation are functions of (seed, step).
import fs from 'node:fs';
import path from 'node:path';
import type { ImageDataset } from '../data/dataset.js';
import { BatchSampler } from '../data/sampler.js';
import { augmentBatch } from '../data/cifar10.js';
import { Rng } from '../engine/rng.js';
import type { Model } from '../models/model.js';
import { lrAt, type ScheduleConfig } from '../nn/schedule.js';
import { applyKernelChoices, chooseKernels, type KernelChoice, type KernelPolicy } from '../nn/dispatch.js';
import { applyMasks, type Masks } from '../pruning/masks.js';
import type { DatasetHparams, TrainingHparams } from '../hparams/groups.js';
import { buildOptimizer } from '../training/optimizer-config.js';
import { evaluate } from '../training/evaluate.js';
import { skipBatches, trainStep } from '../training/step.js';
import { parseSteps, toIterations } from '../util/steps.js';
import type { RunLock } from '../store/lock.js';
import { FILES } from './layout.js';
import { loadTensors, saveTensors, type Weights } from './tensors.js';

export interface LevelData {
  train: ImageDataset;
  validation: ImageDataset | null;
  test: ImageDataset;
}

export interface CurvePoint {
  step: number;
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  test_loss: number;
  test_accuracy: number;
}

export interface LevelOutcome {
  steps: number;
  seconds: number;
  finalTestAccuracy: number;
  finalTestLoss: number;
  bestTestAccuracy: number;
  /** Iteration of minimum validation loss (test loss when there is no validation set). */
  earlyStopStep: number;
  earlyStopTestAccuracy: number;
  curve: CurvePoint[];
  /** Dense or sparse kernel per layer, chosen once for the level's mask. */
  kernels: KernelChoice[];
}

export interface LevelSpec {
  model: Model;
  masks: Masks;
  /** Weights (and buffers) to start from, by dotted name. */
  start: Weights;
  /** First iteration (the rewind point when rewinding; 0 otherwise). */
  startStep: number;
  training: TrainingHparams;
  dataset: DatasetHparams;
  seed: number;
  data: LevelData;
  dir: string;
  lock: RunLock;
  checkpointEvery: number;
  kernels: KernelPolicy;
  /** Called with the weights after `rewindStep` iterations (level 0 of a rewinding run). */
  rewindStep?: number;
  onRewindPoint?: (weights: Weights) => void;
  onStep?: (step: number, loss: number) => void;
  meta: Record<string, string | number>;
}

export function totalIterations(training: TrainingHparams, iterationsPerEpoch: number): number {
  return toIterations(parseSteps(training.steps, '--steps'), iterationsPerEpoch);
}

export function scheduleOf(training: TrainingHparams, iterationsPerEpoch: number): ScheduleConfig {
  const its = (s: string) => toIterations(parseSteps(s), iterationsPerEpoch);
  return { warmupSteps: its(training.warmup), milestones: training.milestones.map(its), gamma: training.gamma };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function evalPoint(model: Model, data: LevelData, step: number, trainLoss: number | null): CurvePoint {
  const val = data.validation ? evaluate(model, data.validation) : null;
  const test = evaluate(model, data.test);
  return { step, train_loss: trainLoss, val_loss: val?.loss ?? null, val_accuracy: val?.accuracy ?? null, test_loss: test.loss, test_accuracy: test.accuracy };
}

export function summarize(curve: CurvePoint[], seconds: number, steps: number, kernels: KernelChoice[]): LevelOutcome {
  const last = curve[curve.length - 1]!;
  let best = curve[0]!;
  for (const p of curve) if ((p.val_loss ?? p.test_loss) < (best.val_loss ?? best.test_loss)) best = p;
  return {
    steps,
    seconds,
    finalTestAccuracy: last.test_accuracy,
    finalTestLoss: last.test_loss,
    bestTestAccuracy: Math.max(...curve.map((p) => p.test_accuracy)),
    earlyStopStep: best.step,
    earlyStopTestAccuracy: best.test_accuracy,
    curve,
    kernels,
  };
}

export async function trainLevel(spec: LevelSpec): Promise<LevelOutcome> {
  const { model, data, training } = spec;
  const sampler = new BatchSampler(data.train.size, spec.dataset.batchSize, spec.seed);
  const total = totalIterations(training, sampler.iterationsPerEpoch);
  const schedule = scheduleOf(training, sampler.iterationsPerEpoch);
  const optimizer = buildOptimizer(model.parameters(), training);
  const baseLr = optimizer.lr;
  const ckptFile = path.join(spec.dir, FILES.checkpoint);
  let step = spec.startStep;
  let curve: CurvePoint[] = [];
  let seconds = 0;
  let lossSum = 0;
  let lossCount = 0;
  let kernels: KernelChoice[];

  applyMasks(model, spec.masks);
  if (fs.existsSync(ckptFile)) {
    const ck = loadTensors(ckptFile);
    model.loadStateDict(new Map([...ck.values].filter(([n]) => n.startsWith('model.')).map(([n, v]) => [n.slice(6), v])));
    optimizer.loadStateDict(new Map([...ck.values].filter(([n]) => n.startsWith('optim.')).map(([n, v]) => [n.slice(6), v])));
    const state = JSON.parse(ck.metadata.state ?? '{}') as { step: number; curve: CurvePoint[]; seconds: number; lossSum: number; lossCount: number; kernels: KernelChoice[] };
    ({ step, curve, seconds, lossSum, lossCount, kernels } = state);
    applyKernelChoices(model, kernels);
  } else {
    model.loadStateDict(spec.start);
    kernels = chooseKernels(model, spec.dataset.batchSize, spec.kernels, 7, (params) => buildOptimizer(params, training));
    curve.push(evalPoint(model, data, step, null));
  }
  skipBatches(sampler, step);
  const augment = spec.dataset.augment
    ? (x: Float32Array, n: number, s: number) => {
        const [C, H, W] = data.train.shape;
        augmentBatch(x, n, C, H, W, Rng.stream(spec.seed, `augment/${s}`), { fill: Array.from(data.train.normalizedZero()) });
      }
    : undefined;

  let lastYield = Date.now();
  model.train();
  while (step < total) {
    const t0 = process.hrtime.bigint();
    optimizer.lr = lrAt(baseLr, step, schedule);
    const { loss } = trainStep(model, optimizer, data.train, sampler, step, augment);
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    step++;
    lossSum += loss;
    lossCount++;
    spec.onStep?.(step, loss);
    if (spec.onRewindPoint && step === spec.rewindStep) spec.onRewindPoint(model.stateDict());
    if (step % training.evalEvery === 0 || step === total) {
      curve.push(evalPoint(model, data, step, lossSum / lossCount));
      lossSum = 0;
      lossCount = 0;
      model.train();
    }
    if (step % spec.checkpointEvery === 0 && step < total) {
      spec.lock.assertHeld();
      const values = new Map<string, Float32Array>();
      for (const [n, v] of model.stateDict()) values.set(`model.${n}`, v);
      for (const [n, v] of optimizer.stateDict()) values.set(`optim.${n}`, v);
      saveTensors(ckptFile, model, values, { ...spec.meta, kind: 'checkpoint', step, state: JSON.stringify({ step, curve, seconds, lossSum, lossCount, kernels }) });
    }
    if (Date.now() - lastYield > 100) {
      await yieldToEventLoop(); // lets the run lock refresh and the progress bar draw
      lastYield = Date.now();
    }
  }
  optimizer.lr = baseLr;
  return summarize(curve, seconds, total - spec.startStep, kernels);
}
