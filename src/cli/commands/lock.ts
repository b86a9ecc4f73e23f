// `ticketlab lock` and `ticketlab unlock` (V1 of Chen et al. 2021): lock removes paths from a ticket (the key) and
// retrains what is left from the rewind point; unlock restores the key's weights and retrains. Both are branches.
import fs from 'node:fs';
import type { Command } from 'commander';
import { lockTicket, unlockTicket } from '../../ownership/lock-ticket.js';
import { PATH_SCORES, type PathScore } from '../../ownership/key-lock.js';
import { UserError } from '../../util/errors.js';
import { oneOf, positiveInt } from '../../util/flags.js';
import { addBranchFlags, branchRef, branchSummary, pct, type BranchFlags } from '../branch-flags.js';
import { emit, say, type GlobalOptions } from '../output.js';
import { withProgress } from '../progress.js';

interface LockFlags extends BranchFlags {
  paths: number;
  score: PathScore;
  keyOut?: string;
}

export function lockCommand(program: Command): void {
  addBranchFlags(
    program
      .command('lock')
      .description('lock a ticket: remove paths (the key) and retrain the rest from the rewind point (a new branch)'),
    { out: 'locked' },
  )
    .option(
      '--paths <n>',
      'paths to remove (the reference: 1000 on ResNet-20)',
      positiveInt('--paths', 1_000_000),
      1000,
    )
    .option(
      '--score <kind>',
      `how paths are drawn: ${PATH_SCORES.join(', ')}`,
      oneOf('--score', PATH_SCORES),
      'magnitude',
    )
    .option('--key-out <file>', 'also copy the key (a safetensors mask) to this file, which must not exist')
    .action(async (run: string, o: LockFlags) => {
      const g = program.opts<GlobalOptions>();
      if (o.keyOut && fs.existsSync(o.keyOut)) throw new UserError(`${o.keyOut} exists: --key-out never overwrites`);
      const r = await withProgress('lock', !g.json, (bar) =>
        lockTicket({ ...branchRef(run, o, bar), paths: o.paths, score: o.score }),
      );
      if (o.keyOut) fs.copyFileSync(r.keyFile, o.keyOut, fs.constants.COPYFILE_EXCL);
      const result = { ...branchSummary(r, o), paths: r.paths, removed: r.removed };
      if (g.json) return emit(g, result);
      say(
        g,
        `${r.reused ? 'found' : 'locked'} ${result.run} level ${o.level} as branch ${o.outBranch}: ${r.paths} paths ` +
          `(${r.removed} weights through ${r.chain.join(' → ')}) removed; retrained without the key ${pct(result.test_accuracy)}, ` +
          `the ticket ${pct(result.source_test_accuracy)}; unlock with: ticketlab unlock ${result.run} --level ${o.level} --branch ${o.outBranch}`,
      );
    });
}

interface UnlockFlags extends BranchFlags {
  key?: string;
}

export function unlockCommand(program: Command): void {
  addBranchFlags(
    program
      .command('unlock')
      .description(
        "unlock a locked ticket: restore the key's weights and retrain from the rewind point (a new branch)",
      ),
    { from: 'locked', out: 'unlocked' },
  )
    .option('--key <file>', 'the key (default: the one stored with the locked branch)')
    .action(async (run: string, o: UnlockFlags) => {
      const g = program.opts<GlobalOptions>();
      const r = await withProgress('unlock', !g.json, (bar) => unlockTicket({ ...branchRef(run, o, bar), key: o.key }));
      const { source_test_accuracy: locked, ...summary } = branchSummary(r, o);
      const result = { ...summary, locked_test_accuracy: locked };
      if (g.json) return emit(g, result);
      say(
        g,
        `${r.reused ? 'found' : 'unlocked'} ${result.run} level ${o.level} as branch ${o.outBranch}: test accuracy ` +
          `${pct(result.test_accuracy)} with the key, ${pct(locked)} without`,
      );
    });
}
