// `ticketlab ownership-study`: one seed of the ownership study (docs/results/ownership.md). An IMP run of LeNet-300-100
// (replicate = seed); its ticket at the signing level signed with a QR code, attacked every way `ticketlab attack`
// knows, signed again with a trigger set; its sparsest ticket locked with the V1 key and unlocked. Every stage is a
// stored branch, skipped when done, so a rerun resumes. The last line (with --json) is the seed's data line.
import type { Command } from 'commander';
import { runOwnershipSeed } from '../../studies/ownership/run.js';
import { OWNERSHIP_STUDY_DEFAULTS } from '../../studies/ownership/settings.js';
import type { PathScore } from '../../ownership/key-lock.js';
import { defaultRoot } from '../../store/root.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

const d = OWNERSHIP_STUDY_DEFAULTS;
const list = (v: string) => v.split(',').filter((x) => x !== '');
const numbers = (v: string) => list(v).map((x) => finiteNumber('--amounts')(x));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function ownershipStudyCommand(program: Command): void {
  program
    .command('ownership-study')
    .description('one seed of the ownership study: IMP, sign (QR and triggers), attacks, key and lock')
    .option('--model <name>', 'model', d.model)
    .option('--levels <n>', 'IMP levels after the dense one', positiveInt('--levels', 100), d.levels)
    .option('--steps <steps>', 'iterations of every level and every retraining', d.steps)
    .option('--sign-level <L>', 'the level signed', nonNegativeInt('--sign-level'), d.signLevel)
    .option('--layer <name>', 'the layer signed', d.layer)
    .option('--message <text>', "the owner's message", d.message)
    .option('--forge-message <text>', "the forger's message", d.forgeMessage)
    .option('--amounts <list>', 'attack strengths (fractions of the kept weights)', numbers, d.amounts)
    .option(
      '--finetune <x>',
      'masked fine-tuning, as a fraction of the training',
      finiteNumber('--finetune'),
      d.finetune,
    )
    .option(
      '--finetune-dense <x>',
      'dense fine-tuning, as a fraction of the training',
      finiteNumber('--finetune-dense'),
      d.finetuneDense,
    )
    .option('--triggers <n>', 'trigger images (V3)', positiveInt('--triggers', 10_000), d.triggers)
    .option(
      '--triggers-per-batch <n>',
      'trigger images in every batch',
      positiveInt('--triggers-per-batch', 1000),
      d.triggersPerBatch,
    )
    .option('--lock-level <L>', 'the level locked (V1)', nonNegativeInt('--lock-level'), d.lockLevel)
    .option(
      '--lock-paths <list>',
      'numbers of paths the key removes, one lock each',
      (v: string) => list(v).map((x) => positiveInt('--lock-paths')(x)),
      d.lockPaths,
    )
    .option(
      '--lock-scores <list>',
      'how paths are drawn, one lock each',
      (v: string) => list(v) as PathScore[],
      d.lockScores,
    )
    .option('--seed <n>', "seed, and the IMP run's replicate number", positiveInt('--seed', 10_000), d.seed)
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .option('--data-dir <dir>', 'dataset directory (CIFAR-10 models; MNIST is bundled)')
    .action(async (o: typeof d & { root?: string; dataDir?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { root, dataDir, ...settings } = o;
      const bar = progressBar('ownership-study', 1, !g.json);
      try {
        const r = await runOwnershipSeed({
          settings,
          root: root ?? defaultRoot(),
          dataDir,
          signal: stopSignal(),
          onProgress: (what, done, total) => bar.report(done, total, what),
        });
        bar.stop();
        if (g.json) return emit(g, r);
        say(
          g,
          `seed ${r.seed} (${r.experiment}), level ${r.ticket.level}: ticket ${pct(r.ticket.test_accuracy)}, signed ${pct(r.signed.test_accuracy)}`,
        );
        for (const a of r.attacks)
          say(
            g,
            `  ${a.kind} ${a.amount}: ${a.owner_decoded ? 'decodes' : 'does not decode'}, claim mismatch ${pct(a.claim_mismatch_rate)} ` +
              `(p = 1e${a.claim_log10_p.toFixed(1)}), test accuracy ${pct(a.test_accuracy)}`,
          );
        say(
          g,
          `  triggers: ${pct(r.triggers.trigger_accuracy)} signed, ${pct(r.triggers.unsigned_trigger_accuracy)} unsigned`,
        );
        for (const l of r.lock.results)
          say(
            g,
            `  lock (${l.score}, ${l.paths} paths): ${pct(l.locked_test_accuracy)} without the key, ${pct(l.unlocked_test_accuracy)} with it`,
          );
      } finally {
        bar.stop();
      }
    });
}
