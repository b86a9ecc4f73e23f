// Hyperparameters as typed groups, as in OpenLTH: dataset, model, training, pruning. Each field is defined once
// (field.ts): its type, bounds, flag and help text. Per-model defaults live on the model families
// (src/models/families/), study defaults on the study.
import { z } from 'zod';
import { BIAS_INITS, INIT_NAMES } from '../nn/init.js';
import { OPTIMIZER_NAMES } from '../nn/optim/build.js';
import { kinds, type Field, type ValueOf } from './field.js';

export interface Group<F extends Record<string, Field> = Record<string, Field>> {
  name: string;
  fields: F;
  /** Validates a stored group (every field present, no unknown ones). */
  schema: z.ZodType<GroupValues<F>>;
}

export type GroupValues<F extends Record<string, Field>> = { -readonly [K in keyof F]: ValueOf<F[K]> };
export type ValuesOf<G> = G extends Group<infer F> ? GroupValues<F> : never;

function group<const F extends Record<string, Field>>(name: string, fields: F): Group<F> {
  const shape = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.schema]));
  return { name, fields, schema: z.object(shape).strict() as unknown as z.ZodType<GroupValues<F>> };
}

export const datasetGroup = group('dataset', {
  name: kinds.text({
    flag: 'dataset',
    help: "training data when the model does not fix it: a text corpus such as udhr:eng or udhr:eng,fra ('' = the model's own)",
  }),
  tokenizer: kinds.name({ help: 'tokenizer of a text corpus: bytes, gpt2, llama, or a vocabulary file' }),
  seqLen: kinds.int({ min: 1, max: 65_536, help: 'tokens per training sequence (language models)' }),
  batchSize: kinds.int({ min: 1, max: 1_000_000, help: 'examples per training step' }),
  augment: kinds.flag({ help: 'random crop (pad 4) and horizontal flip of training images (CIFAR-10)' }),
  validation: kinds.int({ min: 0, max: 10_000_000, help: 'training examples held out for early stopping (0: none)' }),
});

export const modelGroup = group('model', {
  model: kinds.name({ help: 'model name, e.g. mnist_lenet_300_100, cifar_conv_2, cifar_resnet_20' }),
  init: kinds.oneOf(INIT_NAMES, { help: `weight initializer: ${INIT_NAMES.join(', ')}` }),
  biasInit: kinds.oneOf(BIAS_INITS, {
    help: "bias initializer: zeros, or uniform (PyTorch's U(±1/√fan_in)); the random-reinit control draws the same",
  }),
});

export const trainingGroup = group('training', {
  optimizer: kinds.oneOf(OPTIMIZER_NAMES, { help: `optimizer: ${OPTIMIZER_NAMES.join(', ')}` }),
  lr: kinds.positive({ max: 1e6, help: 'learning rate' }),
  steps: kinds.steps({ help: 'training length: 50000it, 2ep, 2ep100it (a plain number counts iterations)' }),
  momentum: kinds.fraction({ help: 'SGD momentum' }),
  beta1: kinds.fraction({ help: "Adam's and AdamW's first-moment decay" }),
  beta2: kinds.fraction({ help: "Adam's and AdamW's second-moment decay" }),
  nesterov: kinds.flag({ help: 'Nesterov momentum (SGD)' }),
  weightDecay: kinds.nonNegative({ max: 100, help: 'weight decay (decoupled for adamw)' }),
  milestones: kinds.stepList({
    help: 'steps at which the learning rate is multiplied by --gamma, e.g. 20000it,25000it, or none',
  }),
  gamma: kinds.positive({ max: 10, help: 'learning-rate factor at each milestone' }),
  warmup: kinds.steps({ help: 'linear learning-rate warmup length' }),
  cosine: kinds.flag({ help: 'cosine learning-rate annealing to 0 over the run (after warmup)' }),
  evalEvery: kinds.steps({
    help: 'evaluate on the validation and test sets every this many steps (0: only at the end)',
  }),
});

export const pruningGroup = group('pruning', {
  strategy: kinds.oneOf(['layerwise', 'global'] as const, {
    flag: 'pruning-strategy',
    help: 'layerwise (per-layer rates) or global (one rate across layers)',
  }),
  rate: kinds.fraction({
    flag: 'prune-rate',
    help: 'fraction of surviving weights pruned per level (fc layers, or all with global)',
  }),
  convRate: kinds.fraction({ flag: 'prune-conv-rate', help: 'layerwise rate for conv layers' }),
  outputRate: kinds.fraction({ flag: 'prune-output-rate', help: 'layerwise rate for the output layer' }),
  ignore: kinds.names({ flag: 'prune-ignore', help: 'global: comma-separated weights not pruned, or none' }),
  targetDensity: kinds.densityOrOff({
    flag: 'prune-target-density',
    help: 'density after the last level, reached geometrically (one-shot with --levels 1); 0: use the rates',
  }),
  rewind: kinds.steps({ help: 'rewind point of the survivors: 0it (reset to θ0) or e.g. 500it' }),
});

export type DatasetHparams = ValuesOf<typeof datasetGroup>;
export type ModelHparams = ValuesOf<typeof modelGroup>;
export type TrainingHparams = ValuesOf<typeof trainingGroup>;
export type PruningHparams = ValuesOf<typeof pruningGroup>;

/** What one training run needs (`train`, and every level of a lottery run). */
export interface TrainHparams {
  dataset: DatasetHparams;
  model: ModelHparams;
  training: TrainingHparams;
}

export interface LotteryHparams extends TrainHparams {
  pruning: PruningHparams;
}

export const TRAIN_GROUPS = { dataset: datasetGroup, model: modelGroup, training: trainingGroup } as const;
export const LOTTERY_GROUPS = { ...TRAIN_GROUPS, pruning: pruningGroup } as const;
