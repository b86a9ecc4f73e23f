// Per-model defaults for every hyperparameter group, taken from ../shared/reference/papers.md §1
// (Frankle & Carbin 2019; Frankle et al. 2020 for ResNet/VGG) and OpenLTH where the paper is silent.
import { createModel } from '../models/registry.js';
import { trainingDefaults } from './training-defaults.js';
import type { LotteryHparams, PruningHparams } from './groups.js';

function pruningDefaults(model: string, outputWeight: string): PruningHparams {
  if (model.startsWith('cifar_resnet') || model.startsWith('cifar_vgg'))
    return { strategy: 'global', rate: 0.2, convRate: 0.2, outputRate: 0.2, ignore: [outputWeight], targetDensity: 0 };
  const convRate = model === 'cifar_conv_6' ? 0.15 : 0.1;
  return { strategy: 'layerwise', rate: 0.2, convRate, outputRate: 0.1, ignore: [], targetDensity: 0 };
}

/** All defaults for a model (the model name is validated by building it). */
export function lotteryDefaults(modelName: string): LotteryHparams {
  const model = createModel(modelName);
  const t = trainingDefaults(modelName);
  const totalIts = Number(/^(\d+)it$/.exec(t.steps)?.[1] ?? 0);
  return {
    dataset: { batchSize: t.batchSize, augment: t.augment, validation: model.dataset === 'mnist' || model.dataset === 'cifar10' ? 5000 : 0 },
    model: { model: modelName, init: t.init ?? model.defaultInit },
    training: {
      optimizer: t.optimizer,
      lr: t.lr,
      steps: t.steps,
      momentum: t.momentum,
      nesterov: false,
      weightDecay: t.weightDecay,
      milestones: t.milestoneFractions.map((f) => `${Math.round(f * totalIts)}it`),
      gamma: t.gamma,
      warmup: `${t.warmupSteps}it`,
      evalEvery: 100,
    },
    pruning: pruningDefaults(modelName, model.outputWeight),
    rewind: '0it',
  };
}
