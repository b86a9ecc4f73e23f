// `ticketlab seek`: prune a planted network at initialization and score the ticket against the planted one. The
// result is stored under the planted run (seek-store.ts), so the same command finds it again.
import type { Command } from 'commander';
import { defaultRoot } from '../../store/root.js';
import { PRUNER_NAMES } from '../../pruning/scorers/index.js';
import { loadPlantedRun, resolvePlantedDir } from '../../studies/planted/store.js';
import { checkPruner, seek, type SeekResult } from '../../studies/planted/seek.js';
import { storedSeekRun } from '../../studies/planted/seek-store.js';
import { nonDefaults } from '../../hparams/diff.js';
import type { Agreement } from '../../studies/planted/metrics.js';
import type { Score } from '../../studies/planted/score.js';
import { ConfigError } from '../../util/errors.js';
import { nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { datasetGroup, trainingGroup } from '../../hparams/groups.js';
import { validateTraining } from '../../hparams/validate.js';
import { PLANTED_DEFAULTS } from '../../studies/planted/hparams.js';
import { addGroupFlags, withFlags } from '../hparam-flags.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

/** A density in (0, 1], or 'planted' (the ground truth's). */
function densityArg(v: string): number | 'planted' {
  if (v === 'planted') return v;
  const d = Number(v);
  if (v.trim() === '' || !Number.isFinite(d) || d <= 0 || d > 1)
    throw new ConfigError(`--density must be a number in (0, 1] or 'planted', got '${v}'`);
  return d;
}

interface SeekFlags {
  planted: string;
  pruner: string;
  density: number | 'planted';
  multishot?: boolean;
  rounds: number;
  scope: 'global' | 'local';
  pruneBias: boolean;
  seed: number;
  root?: string;
}

export function seekCommand(program: Command): void {
  const cmd = program
    .command('seek')
    .description('prune a planted network at initialization, train the ticket and compare it with the planted one')
    .requiredOption(
      '--planted <run>',
      "planted run directory (or its planted_<hash> name under --root), from 'ticketlab plant'",
    )
    .requiredOption('--pruner <name>', `pruner: ${PRUNER_NAMES.join(', ')}`)
    .requiredOption(
      '--density <d>',
      "fraction of prunable parameters kept (weights, and biases unless --no-prune-bias), in (0, 1], or 'planted' for the ground-truth density",
      densityArg,
    )
    .option('--multishot', 'prune in rounds of 5 epochs of training, pruning and weight reset')
    .option('--rounds <n>', 'multishot rounds', positiveInt('--rounds', 1000), 10)
    .option(
      '--scope <scope>',
      'rank weights globally or within each layer',
      oneOf('--scope', ['global', 'local'] as const),
      'global',
    )
    .option('--no-prune-bias', 'prune weights only (default: biases are ranked and pruned with them, as in the paper)')
    .option('--seed <n>', 'seed of the batch order and the random pruner', nonNegativeInt('--seed'), 0)
    .option('--root <dir>', `where runs are stored (default ${defaultRoot()}, or TICKETLAB_ROOT)`);
  addGroupFlags(cmd, datasetGroup, { only: ['batchSize'] });
  addGroupFlags(cmd, trainingGroup);
  cmd.action(async (o: SeekFlags & Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    const pruner = checkPruner(o.pruner);
    if (cmd.getOptionValueSource('rounds') === 'cli' && !o.multishot)
      throw new ConfigError('--rounds needs --multishot');
    const run = loadPlantedRun(resolvePlantedDir(o.planted, o.root ?? defaultRoot()));
    const train = withFlags(PLANTED_DEFAULTS, { dataset: datasetGroup, training: trainingGroup }, o);
    validateTraining(train.training);
    const multishot = o.multishot ?? false;
    const identity = {
      pruner,
      density: o.density,
      scope: o.scope,
      multishot,
      rounds: multishot ? o.rounds : null,
      prune_bias: o.pruneBias,
      seed: o.seed,
      training: nonDefaults(train, PLANTED_DEFAULTS),
    };
    const r = await storedSeekRun(run.dir, identity, () =>
      seek(run, {
        pruner,
        density: o.density,
        multishot,
        rounds: o.rounds,
        scope: o.scope,
        pruneBias: o.pruneBias,
        train,
        seed: o.seed,
        onStage: (s) => say(g, `${s}...`),
        signal: stopSignal(),
      }),
    );
    if (g.json) emit(g, r as unknown as Record<string, unknown>);
    else {
      if (r.reused) say(g, `found this seek stored in ${run.dir}`);
      printResult(g, r);
    }
  });
}

const pct = (v: number | null) => (v === null ? '   -  ' : `${(100 * v).toFixed(2).padStart(6)}`);

function quality(s: Score): string {
  return s.accuracy === undefined
    ? `MSE ${s.loss.toExponential(3)}`
    : `accuracy ${(100 * s.accuracy).toFixed(2)}% (CE ${s.loss.toFixed(4)})`;
}

function row(name: string, a: Agreement): string {
  return `  ${name.padEnd(12)} ${String(a.found).padStart(8)} ${String(a.truth).padStart(8)} ${String(a.both).padStart(8)}  ${pct(a.precision)}  ${pct(a.recall)}  ${pct(a.jaccard)}`;
}

function printResult(g: GlobalOptions, r: SeekResult): void {
  const epochs = r.steps;
  say(
    g,
    `${r.task}, ${r.pruner} (${r.scope}${r.multishot ? `, multishot ${r.rounds} rounds` : ''}) at density ${r.density.toExponential(3)} ` +
      `(${r.prune_bias ? 'weights and biases' : 'weights'}; weights alone ${r.weight_density.toExponential(3)}); planted density ${r.planted_density.toExponential(3)}`,
  );
  say(g, `  found ticket   test ${quality(r.ticket.test)} after ${epochs} (at init ${quality(r.ticket.init)})`);
  say(
    g,
    `  planted ticket test ${quality(r.planted.test)} after ${epochs} (at init ÷ scale: ${quality(r.planted.init_rescaled)})`,
  );
  say(g, `  layer collapse: ${r.collapse.collapsed ? `yes (${r.collapse.layers.join(', ')})` : 'no'}`);
  say(g, '  mask vs ground truth   kept  planted     both  prec(%)  recall(%)  jaccard(%)');
  say(g, row('total', r.recovery.total));
  for (const [n, a] of Object.entries(r.recovery.layers)) say(g, row(n, a));
}
