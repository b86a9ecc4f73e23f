// `ticketlab supertickets --dataset mnist|fashion_mnist --target-ratio R`: one SuperTickets run: the supernet slims
// its channels and prunes its weights progressively while it trains (src/supertickets/run.ts). The last line (with
// --json) is {run, flops, params, density, test_accuracy, architecture, …}; an identical command finds the stored run.
import type { Command } from 'commander';
import {
  runSuperTickets,
  SEARCH_ORDERS,
  SUPERTICKET_DATASETS,
  SUPERTICKET_DEFAULTS,
  type SuperTicketSettings,
} from '../../supertickets/run.js';
import { REACTIVATION_MODES } from '../../supertickets/progressive.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';
import { withProgress } from '../progress.js';
import { stopSignal } from '../stop.js';

const d = SUPERTICKET_DEFAULTS;

export function superticketsCommand(program: Command): void {
  program
    .command('supertickets')
    .description('SuperTickets: search channels and prune weights together while the supernet trains')
    .option('--dataset <name>', SUPERTICKET_DATASETS.join(' or '), oneOf('--dataset', SUPERTICKET_DATASETS), d.dataset)
    .option(
      '--target-ratio <r>',
      'fraction of the prunable weights pruned at the end, in [0, 1)',
      finiteNumber('--target-ratio'),
      d.targetRatio,
    )
    .option('--epochs <n>', 'training epochs', positiveInt('--epochs', 10_000), d.epochs)
    .option(
      '--interval <n>',
      'epochs between pruning steps (each prunes 10% more)',
      positiveInt('--interval', 10_000),
      d.interval,
    )
    .option(
      '--reactivation <mode>',
      REACTIVATION_MODES.join(', '),
      oneOf('--reactivation', REACTIVATION_MODES),
      d.reactivation,
    )
    .option('--l1 <x>', 'L1 strength on the depthwise BN scales', finiteNumber('--l1'), d.l1)
    .option('--threshold <x>', 'cut channels whose |BN scale| is below this', finiteNumber('--threshold'), d.threshold)
    .option('--examples <n>', 'training examples used per epoch (0: all)', nonNegativeInt('--examples'), d.examples)
    .option(
      '--test-examples <n>',
      "test examples scored, the test set's first (0: all; fewer only for a quick look)",
      nonNegativeInt('--test-examples'),
      d.testExamples,
    )
    .option(
      '--order <order>',
      `${SEARCH_ORDERS.join(', ')}: search and prune together (SuperTickets) or one after the other (its baselines)`,
      oneOf('--order', SEARCH_ORDERS),
      d.order,
    )
    .option(
      '--transfer-from <dir>',
      "transfer: a stored supertickets run (its directory) whose ticket becomes this dataset's backbone, trained --epochs more",
      d.transferFrom,
    )
    .option(
      '--transfer-reinit',
      "the transfer's control: the source ticket's architecture and masks with fresh random weights",
      d.transferReinit,
    )
    .option('--seed <n>', 'seed of initialization and batches', nonNegativeInt('--seed'), d.seed)
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .action(async (o: SuperTicketSettings & { root?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { root, ...settings } = o;
      const r = await withProgress('supertickets', !g.json, (bar) =>
        runSuperTickets({
          settings,
          root: root ?? defaultRoot(),
          signal: stopSignal(),
          onStep: (a, b, info) => bar.report(a, b, info),
        }),
      );
      if (g.json) return emit(g, { ...r });
      const branches = r.architecture.blocks
        .map(
          (b, i) =>
            `${i}:${b.branches
              .filter((x) => x.hidden > 0)
              .map((x) => `k${x.kernel}×${x.hidden}`)
              .join('+')}`,
        )
        .join(' ');
      say(
        g,
        `${r.reused ? 'found' : 'trained'} ${r.run} (${r.dataset}): test accuracy ${(100 * r.test_accuracy).toFixed(2)}%, ` +
          `${(100 * r.density).toFixed(1)}% of the weights kept, ${(r.flops / 1e6).toFixed(2)}M MACs (architecture ` +
          `${(r.dense_flops / 1e6).toFixed(2)}M dense), ${r.params.toLocaleString('en-US')} parameters, ${r.channels_cut} channels cut; blocks ${branches}` +
          (r.transferred_from
            ? `; backbone from ${r.transferred_from}${r.transfer_reinit ? ' (architecture and masks, fresh weights)' : ''}`
            : ''),
      );
    });
}
