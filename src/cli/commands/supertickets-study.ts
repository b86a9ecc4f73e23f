// `ticketlab supertickets-study`: one seed of the SuperTickets study (docs/results/supertickets.md): every method at
// every budget on MNIST, then the transfers to Fashion-MNIST, each a stored `supertickets` run found again on a rerun.
// The last line (with --json) is the seed's data line.
import type { Command } from 'commander';
import { runSuperTicketsSeed } from '../../studies/supertickets/run.js';
import { SUPERTICKETS_STUDY_DEFAULTS } from '../../studies/supertickets/settings.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

const d = SUPERTICKETS_STUDY_DEFAULTS;
const numbers = (v: string) =>
  v
    .split(',')
    .filter((x) => x !== '')
    .map((x) => finiteNumber('--budgets')(x));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function superticketsStudyCommand(program: Command): void {
  program
    .command('supertickets-study')
    .description('one seed of the SuperTickets study: every method at every budget, then the transfers')
    .option('--budgets <list>', 'target ratios (fractions of the weights pruned), one budget each', numbers, d.budgets)
    .option('--epochs <n>', 'epochs of every search', positiveInt('--epochs', 10_000), d.epochs)
    .option('--examples <n>', 'training examples per epoch (0: all)', nonNegativeInt('--examples'), d.examples)
    .option('--l1 <x>', 'L1 strength on the depthwise BN scales', finiteNumber('--l1'), d.l1)
    .option('--threshold <x>', 'cut channels whose |BN scale| is below this', finiteNumber('--threshold'), d.threshold)
    .option(
      '--transfer-budget <r>',
      'the budget whose tickets go to Fashion-MNIST',
      finiteNumber('--transfer-budget'),
      d.transferBudget,
    )
    .option(
      '--transfer-epochs <n>',
      'epochs on Fashion-MNIST',
      positiveInt('--transfer-epochs', 10_000),
      d.transferEpochs,
    )
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), d.seed)
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .action(async (o: typeof d & { root?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { root, ...settings } = o;
      const bar = progressBar('supertickets-study', 1, !g.json);
      try {
        const r = await runSuperTicketsSeed({
          settings,
          root: root ?? defaultRoot(),
          signal: stopSignal(),
          onProgress: (what, done, total) => bar.report(done, total, what),
        });
        bar.stop();
        if (g.json) return emit(g, r);
        for (const x of r.search)
          say(
            g,
            `${x.method} at ${x.budget}: ${pct(x.test_accuracy)}, ${(x.flops / 1e6).toFixed(2)}M MACs, ${x.channels_cut} channels cut`,
          );
        for (const x of r.transfer) say(g, `Fashion-MNIST, ${x.kind}: ${pct(x.test_accuracy)}`);
      } finally {
        bar.stop();
      }
    });
}
