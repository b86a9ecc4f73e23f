// `ticketlab ltp-study`: one seed of the LTP study (docs/results/ltp.md). A byte-level encoder is pretrained with
// masked-LM on several udhr languages and fine-tuned with masked-LM on the first; the LTP ticket is drawn from the two
// checkpoints; a classifier of articles is trained through soft prompts on the first language with each method and
// tested zero-shot on the others. Stages are stored and skipped when done, so a rerun resumes.
import type { Command } from 'commander';
import { runLtpSeed } from '../../studies/ltp/run.js';
import { LTP_STUDY_DEFAULTS } from '../../studies/ltp/settings.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

const d = LTP_STUDY_DEFAULTS;
const list = (v: string) => v.split(',').filter((x) => x !== '');

export function ltpStudyCommand(program: Command): void {
  program
    .command('ltp-study')
    .description('one seed of the LTP study: pretrain, masked-LM fine-tune, LTP ticket, prompted classifiers')
    .option('--model <name>', 'an lm_encoder model (byte tokens)', d.model)
    .option('--languages <list>', 'udhr languages: the first trains the task, the rest test it', list, d.languages)
    .option('--window <n>', 'bytes per classified passage', positiveInt('--window', 4096), d.window)
    .option('--prompt-length <n>', 'soft-prompt vectors', nonNegativeInt('--prompt-length', 4096), d.promptLength)
    .option('--batch-size <n>', 'samples per step', positiveInt('--batch-size'), d.batchSize)
    .option('--pretrain-steps <n>', 'masked-LM pretraining steps', positiveInt('--pretrain-steps'), d.pretrainSteps)
    .option('--pretrain-lr <x>', 'pretraining learning rate', finiteNumber('--pretrain-lr'), d.pretrainLr)
    .option(
      '--mlm-steps <n>',
      'masked-LM fine-tuning steps on the first language',
      positiveInt('--mlm-steps'),
      d.mlmSteps,
    )
    .option('--mlm-lr <x>', 'masked-LM fine-tuning learning rate', finiteNumber('--mlm-lr'), d.mlmLr)
    .option('--task-steps <n>', 'classifier training steps of every method', positiveInt('--task-steps'), d.taskSteps)
    .option('--task-lr <x>', 'classifier learning rate', finiteNumber('--task-lr'), d.taskLr)
    .option('--keep <x>', 'fraction of the weights the ticket keeps', finiteNumber('--keep'), d.keep)
    .option(
      '--seed <n>',
      'seed of initialization, masks, batches and the random mask',
      nonNegativeInt('--seed'),
      d.seed,
    )
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .action(async (o: typeof d & { root?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { root, ...settings } = o;
      const bar = progressBar('ltp-study', 1, !g.json);
      try {
        const r = await runLtpSeed({
          settings,
          root: root ?? defaultRoot(),
          signal: stopSignal(),
          onProgress: (what, step, total) => {
            bar.report(step, total, what);
          },
        });
        bar.stop();
        if (g.json)
          return emit(g, { seed: r.seed, ticket: { kept: r.ticket.kept, total: r.ticket.total }, results: r.results });
        const langs = settings.languages;
        say(g, `seed ${r.seed}: LTP ticket keeps ${r.ticket.kept} of ${r.ticket.total} weights`);
        say(g, ['method'.padEnd(8), 'trainable'.padStart(9), ...langs.map((l) => l.padStart(9))].join(' '));
        for (const x of r.results)
          say(
            g,
            [
              x.method.padEnd(8),
              String(x.trainable).padStart(9),
              ...langs.map((l) => `${(100 * x.accuracy[l]!).toFixed(1)}%`.padStart(9)),
            ].join(' '),
          );
      } finally {
        bar.stop();
      }
    });
}
