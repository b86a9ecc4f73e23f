// `ticketlab grok`: one run of the grokking study (Grokking Tickets): the dense network on (a + b) mod p, its
// grokking ticket, or a control at the ticket's layer densities. Controls that need the dense base find it, or train
// it first. The last line (with --json: the last JSON line) is the run's result.
import type { Command } from 'commander';
import { runGrok } from '../../studies/grokking/run.js';
import {
  CONTROL_KINDS,
  GROK_DEFAULTS,
  grokModelName,
  parseControl,
  SNAPSHOT_EVERY,
  type GrokSettings,
} from '../../studies/grokking/settings.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

/** The settings as flags give them: the model may name only its family, the control is still text. */
type GrokFlags = Omit<GrokSettings, 'p' | 'control'> & {
  p?: number;
  control: string;
  root?: string;
  checkpointEvery: number;
};

export function grokCommand(program: Command): void {
  program
    .command('grok')
    .description('train on (a + b) mod p: the dense network, its grokking ticket, or a control (Grokking Tickets)')
    .option('--model <name>', 'grok_mlp_<p> or grok_transformer_<p> (or the family, with --p)', 'grok_mlp_67')
    .option('--p <n>', 'the modulus (default: the one the model names, else 67)', positiveInt('--p', 10_000))
    .option(
      '--train-fraction <x>',
      'share of the pairs that trains',
      finiteNumber('--train-fraction'),
      GROK_DEFAULTS.trainFraction,
    )
    .option('--lr <x>', 'AdamW learning rate', finiteNumber('--lr'), GROK_DEFAULTS.lr)
    .option(
      '--weight-decay <x>',
      "this run's AdamW weight decay (the dense base that masks come from always uses 1)",
      finiteNumber('--weight-decay'),
      GROK_DEFAULTS.weightDecay,
    )
    .option(
      '--epochs <n>',
      'at most this many epochs (one full-batch step each)',
      positiveInt('--epochs', 10_000_000),
      GROK_DEFAULTS.epochs,
    )
    .option(
      '--patience <n>',
      'stop this many epochs after generalizing (0: train every epoch)',
      nonNegativeInt('--patience'),
      GROK_DEFAULTS.patience,
    )
    .option('--seed <n>', 'seed of the split, θ0 and random masks', nonNegativeInt('--seed'), GROK_DEFAULTS.seed)
    .option(
      '--control <name>',
      `${CONTROL_KINDS.filter((c) => c !== 'checkpoint').join(', ')}, or checkpoint:<epoch> (a multiple of ${SNAPSHOT_EVERY})`,
      'dense',
    )
    .option(
      '--keep <x>',
      "the ticket's kept fraction (the paper's pruning rate 0.6 keeps 0.4)",
      finiteNumber('--keep'),
      GROK_DEFAULTS.keep,
    )
    .option('--root <dir>', `where runs are stored (default ${defaultRoot()}, or TICKETLAB_ROOT)`)
    .option(
      '--checkpoint-every <n>',
      'save a resumable checkpoint every n epochs',
      positiveInt('--checkpoint-every'),
      1000,
    )
    .action(async (o: GrokFlags) => {
      const g = program.opts<GlobalOptions>();
      const model = grokModelName(o.model, o.p);
      const p = Number(/_(\d+)$/.exec(model)![1]);
      const bar = progressBar('grok', 1, !g.json);
      let shown = 0;
      const r = await runGrok({
        settings: {
          model,
          p,
          trainFraction: o.trainFraction,
          lr: o.lr,
          weightDecay: o.weightDecay,
          epochs: o.epochs,
          patience: o.patience,
          seed: o.seed,
          control: parseControl(o.control),
          keep: o.keep,
        } satisfies GrokSettings,
        root: o.root ?? defaultRoot(),
        checkpointEvery: o.checkpointEvery,
        signal: stopSignal(),
        onEpoch: (epoch, total, what) => {
          if (epoch - shown >= 50 || epoch === total || epoch < shown) {
            bar.report(epoch, total, what);
            shown = epoch;
          }
        },
      }).finally(() => bar.stop());
      const { curve: _curve, dir: _dir, ...line } = r;
      if (g.json) return emit(g, line);
      const when = (t: number | null) => (t === null ? 'never' : `epoch ${t}`);
      const acc = (a: number) => `${(a * 100).toFixed(1)}%`;
      if (r.reused) say(g, `reused the finished run (${r.run}, seed ${r.seed}, ${r.control})`);
      say(
        g,
        `${r.model} ${r.control} (density ${(r.density * 100).toFixed(1)}%): memorized ${when(r.t_mem)}, generalized ${when(r.t_gen)}; after ${r.epochs} epochs train ${acc(r.final_train_accuracy)}, test ${acc(r.final_test_accuracy)} (${r.seconds.toFixed(1)} s)`,
      );
    });
}
