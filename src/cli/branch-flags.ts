// Flags of the commands that make a new branch from one finished level of a lottery run (sign, attack, lock, unlock):
// which run, level, replicate and source branch, the new branch's name, and where runs and data are.
import type { Command } from 'commander';
import { TRUNK } from '../lottery/layout.js';
import type { BranchRef } from '../ownership/sign-ticket.js';
import type { DerivedResult } from '../lottery/derived.js';
import { defaultRoot } from '../store/root.js';
import { nonNegativeInt, positiveInt } from '../util/flags.js';
import type { Progress } from './progress.js';
import { stopSignal } from './stop.js';

export interface BranchFlags {
  level: number;
  branch: string;
  outBranch: string;
  replicate: number;
  root?: string;
  dataDir?: string;
}

export function addBranchFlags(cmd: Command, defaults: { from?: string; out: string }): Command {
  return cmd
    .argument('<run>', 'experiment directory or name (lottery_<hash>)')
    .requiredOption('--level <L>', 'pruning level', nonNegativeInt('--level'))
    .option('--branch <name>', 'the branch it starts from (main: the winning ticket)', defaults.from ?? TRUNK)
    .option('--out-branch <name>', 'name of the new branch', defaults.out)
    .option('--replicate <n>', 'replicate number', positiveInt('--replicate'), 1)
    .option('--root <dir>', `run root to look names up in (default ${defaultRoot()}, or TICKETLAB_ROOT)`)
    .option('--data-dir <dir>', 'dataset directory, as for the run');
}

export function branchRef(run: string, o: BranchFlags, bar: Progress): BranchRef {
  return {
    run,
    root: o.root ?? defaultRoot(),
    replicate: o.replicate,
    level: o.level,
    from: o.branch,
    name: o.outBranch,
    dataDir: o.dataDir,
    signal: stopSignal(),
    onStep: (done, total, info) => bar.report(done, total, info),
  };
}

/** What every branch-making command reports first: the new branch, its source level and both accuracies. */
export function branchSummary(r: DerivedResult, o: BranchFlags) {
  const source = r.experiment.record(o.replicate, o.level, o.branch)!;
  return {
    run: r.experiment.name,
    branch: o.outBranch,
    level: o.level,
    density: r.record.density,
    source_density: source.density,
    test_accuracy: r.record.test_accuracy,
    source_test_accuracy: source.test_accuracy,
    reused: r.reused,
  };
}

export const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
