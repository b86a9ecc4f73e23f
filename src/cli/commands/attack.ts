// `ticketlab attack RUN --level L --branch NAME --kind K --amount X --out-branch NAME2`: a new ticket made from a
// (signed) one the way a thief might: further magnitude pruning, random pruning, random added connections,
// fine-tuning every weight then re-sparsifying, or a second signature forged into another layer. It is stored as a
// branch, so `ticketlab verify` reads it like any other.
import type { Command } from 'commander';
import { ATTACK_KINDS, type AttackKind } from '../../ownership/attacks.js';
import { attackTicket } from '../../ownership/attack-ticket.js';
import { finiteNumber, oneOf, positiveInt } from '../../util/flags.js';
import { addBranchFlags, branchRef, branchSummary, pct, type BranchFlags } from '../branch-flags.js';
import { emit, say, type GlobalOptions } from '../output.js';
import { withProgress } from '../progress.js';

interface AttackFlags extends BranchFlags {
  kind: AttackKind;
  amount: number;
  message?: string;
  retrainSteps?: number;
}

export function attackCommand(program: Command): void {
  addBranchFlags(
    program.command('attack').description("attack a ticket's signature: a new, attacked ticket stored as a branch"),
    { from: 'signed', out: 'attacked' },
  )
    .requiredOption('--kind <kind>', ATTACK_KINDS.join(', '), oneOf('--kind', ATTACK_KINDS))
    .option(
      '--amount <x>',
      "prune, random-prune, add: fraction of the kept weights; finetune, finetune-dense: fraction of the run's training length",
      finiteNumber('--amount'),
      0.2,
    )
    .option('--message <text>', "forge: the forger's message")
    .option(
      '--retrain-steps <n>',
      'prune, random-prune, add: fine-tune this many iterations under the new mask',
      positiveInt('--retrain-steps'),
    )
    .action(async (run: string, o: AttackFlags) => {
      const g = program.opts<GlobalOptions>();
      const r = await withProgress('attack', !g.json, (bar) =>
        attackTicket({
          ...branchRef(run, o, bar),
          kind: o.kind,
          amount: o.amount,
          message: o.message,
          retrainSteps: o.retrainSteps,
        }),
      );
      const result = { ...branchSummary(r, o), kind: o.kind, amount: o.kind === 'forge' ? null : o.amount };
      if (g.json) return emit(g, result);
      say(
        g,
        `${r.reused ? 'found' : 'attacked'} ${result.run} level ${o.level} (${o.branch} → ${o.outBranch}, ${o.kind}): density ` +
          `${pct(result.source_density)} → ${pct(result.density)}, test accuracy ${pct(result.source_test_accuracy)} → ` +
          `${pct(result.test_accuracy)}; check it with: ticketlab verify ${result.run} --level ${o.level} --branch ${o.outBranch}`,
      );
    });
}
