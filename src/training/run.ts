// One stored training run of an image classifier: from given weights (and masks), with the validation/test curve,
// the early-stop summary, dense or sparse kernels per masked layer, and a checkpoint in `dir` to resume from after a
// crash. `ticketlab train` is one of these; every level and branch of a lottery run is one too.
import path from 'node:path';
import { ImageDataset } from '../data/dataset.js';
import { MlmDataset, maskEpochCallback } from '../data/mlm-dataset.js';
import type { Module } from '../nn/module.js';
import { buildOptimizer } from '../nn/optim/build.js';
import { applyKernelChoices, chooseKernels, type KernelChoice, type KernelPolicy } from '../nn/dispatch.js';
import { applyMasks, type Masks } from '../pruning/masks.js';
import type { DatasetHparams, TrainingHparams } from '../hparams/groups.js';
import type { Weights } from '../store/weights.js';
import { checkpointed, EvaluationCurve, type CurvePoint } from './callbacks.js';
import { kernelWatch, watchSteps } from './kernel-watch.js';
import { crossEntropy, type LossFn } from './loss.js';
import type { RunData } from './run-data.js';
import { trainLoop, type Callback } from './loop.js';
import { probeCheckpoint } from './checkpoint.js';
import { augmentation, planTraining } from './plan.js';
import { summarizeCurve, type CurveSummary } from './summary.js';
import type { MixIn } from './step.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export interface TrainRunSpec {
  model: Module;
  /** Masks to train under (null: dense). */
  masks: Masks | null;
  /** Weights (and buffers) to start from, by dotted name; ignored when resuming. */
  start: Weights;
  /** First iteration (the rewind point when rewinding; 0 otherwise). */
  startStep: number;
  hparams: { dataset: DatasetHparams; training: TrainingHparams };
  seed: number;
  data: RunData;
  /** The loss of the model's objective (default: cross-entropy on class labels). */
  loss?: LossFn;
  /** Samples per evaluation batch (default 1000; language models need fewer). */
  evalBatchSize?: number;
  /** Where the checkpoint lives. */
  dir: string;
  checkpointEvery: number;
  kernels: KernelPolicy;
  /** Called before every checkpoint write (the run lock's check). */
  beforeWrite?: () => void;
  /** More callbacks (progress, the rewind point). */
  callbacks?: Callback[];
  /** Stored with the checkpoint. */
  meta: Record<string, string | number>;
  signal?: AbortSignal;
  /** Examples added to every training batch (an ownership trigger set). */
  mixIn?: MixIn;
}

export interface TrainRunOutcome extends CurveSummary {
  /** Iterations trained (from startStep). */
  steps: number;
  seconds: number;
  curve: CurvePoint[];
  /** Dense or sparse kernel per masked layer, chosen once for the run's mask. */
  kernels: KernelChoice[];
}

export async function trainRun(spec: TrainRunSpec): Promise<TrainRunOutcome> {
  const { model, data } = spec;
  const training = spec.hparams.training;
  const plan = planTraining(spec.hparams, data.train.size, spec.seed);
  const optimizer = buildOptimizer(model.parameters(), training);
  const checkpoint = {
    file: path.join(spec.dir, CHECKPOINT_FILE),
    every: spec.checkpointEvery,
    meta: spec.meta,
    beforeWrite: spec.beforeWrite,
    range: { start: spec.startStep, end: plan.endStep },
  };
  if (spec.masks) applyMasks(model, spec.masks);
  let kernels: KernelChoice[] = [];
  if (!probeCheckpoint(checkpoint, model, optimizer)) {
    model.loadStateDict(spec.start);
    kernels = chooseKernels(model, spec.hparams.dataset.batchSize, spec.kernels, 7, (params) =>
      buildOptimizer(params, training),
    );
  }
  const loss = spec.loss ?? crossEntropy;
  const curve = new EvaluationCurve({
    model,
    loss,
    validation: data.validation,
    test: data.test,
    every: plan.evalEvery,
    endStep: plan.endStep,
    batchSize: spec.evalBatchSize,
  });
  const kernelState = checkpointed(
    'kernels',
    () => kernels,
    (k: KernelChoice[]) => {
      kernels = k;
      applyKernelChoices(model, k);
    },
  );
  const callbacks = [curve, kernelState, ...(spec.callbacks ?? [])];
  // Kernel choices are checked on the run's own steps when the run is long enough for the check to cost little.
  // (Added whatever the picks, so a resumed run has it too; with nothing worth checking it does nothing.)
  if (spec.kernels === 'auto' && plan.endStep - spec.startStep >= 5 * watchSteps())
    callbacks.splice(
      2,
      0,
      kernelWatch(model, () => kernels, spec.startStep),
    );
  if (data.train instanceof MlmDataset) callbacks.push(maskEpochCallback(data.train, plan.iterationsPerEpoch));
  const result = await trainLoop({
    model,
    optimizer,
    data: data.train,
    sampler: plan.sampler,
    loss,
    augment: data.train instanceof ImageDataset ? augmentation(spec.hparams.dataset, data.train, spec.seed) : undefined,
    mixIn: spec.mixIn,
    schedule: plan.schedule,
    startStep: spec.startStep,
    endStep: plan.endStep,
    callbacks,
    checkpoint,
    signal: spec.signal,
  });
  return {
    ...summarizeCurve(curve.points),
    steps: plan.endStep - spec.startStep,
    seconds: result.seconds,
    curve: curve.points,
    kernels,
  };
}
