// `ticketlab sign RUN --level L --message TEXT`: writes an ownership signature (a QR code, Chen et al. 2021, V2) into
// a ticket's mask at constant density and retrains it from the run's rewind point; with --triggers N it also learns a
// trigger set (V3). The signed ticket is stored as a branch of the level; the original is never modified.
import type { Command } from 'commander';
import { signTicket } from '../../ownership/sign-ticket.js';
import { positiveInt } from '../../util/flags.js';
import { addBranchFlags, branchRef, branchSummary, pct, type BranchFlags } from '../branch-flags.js';
import { emit, say, type GlobalOptions } from '../output.js';
import { withProgress } from '../progress.js';

interface SignFlags extends BranchFlags {
  message: string;
  layer?: string;
  retrainSteps?: number;
  triggers: number;
  triggersPerBatch: number;
}

export function signCommand(program: Command): void {
  addBranchFlags(
    program
      .command('sign')
      .description('sign a ticket: a QR code written into its mask, retrained from the rewind point (a new branch)'),
    { out: 'signed' },
  )
    .requiredOption('--message <text>', 'the message the QR code carries (version 3, level H: at most 24 bytes)')
    .option('--layer <name>', 'sign this layer (default: the window that needs the fewest changes in any layer)')
    .option(
      '--retrain-steps <n>',
      "iterations of retraining from the rewind point (default: the run's training)",
      positiveInt('--retrain-steps'),
    )
    .option(
      '--triggers <n>',
      'also learn this many trigger images with random labels (V3; 0: none)',
      positiveInt('--triggers', 10_000),
      0,
    )
    .option(
      '--triggers-per-batch <n>',
      'trigger images added to every batch',
      positiveInt('--triggers-per-batch', 1000),
      2,
    )
    .action(async (run: string, o: SignFlags) => {
      const g = program.opts<GlobalOptions>();
      const r = await withProgress('sign', !g.json, (bar) =>
        signTicket({
          ...branchRef(run, o, bar),
          message: o.message,
          layer: o.layer,
          retrainSteps: o.retrainSteps,
          triggers: o.triggers,
          triggersPerBatch: o.triggersPerBatch,
        }),
      );
      const s = r.signature;
      const result = {
        ...branchSummary(r, o),
        layer: s.layer,
        window: s.window,
        changed: s.changed,
        compensated: s.compensated,
      };
      if (g.json) return emit(g, result);
      say(
        g,
        `${r.reused ? 'found' : 'signed'} ${result.run} level ${o.level} as branch ${o.outBranch}: ${s.changed} cells of ` +
          `${s.layer} at row ${s.window.row}, column ${s.window.col} rewritten, ${s.compensated} weights traded elsewhere ` +
          `to hold the density; test accuracy ${pct(result.test_accuracy)} (unsigned ${pct(result.source_test_accuracy)})`,
      );
    });
}
