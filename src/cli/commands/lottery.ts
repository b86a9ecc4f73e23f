// `ticketlab lottery`: iterative magnitude pruning with reset or rewinding, plus control branches.
import type { Command } from 'commander';
import { LOTTERY_GROUPS, modelGroup, trainingGroup, type TrainingHparams } from '../../hparams/groups.js';
import { lotteryDefaults } from '../../hparams/defaults.js';
import { validatePruning, validateTraining } from '../../hparams/validate.js';
import { runLottery } from '../../lottery/runner.js';
import type { LevelRecord } from '../../lottery/record.js';
import { BRANCH_NAMES, parseBranches } from '../../lottery/branches/registry.js';
import type { Branch } from '../../lottery/branches/branch.js';
import { defaultRoot } from '../../store/root.js';
import { ConfigError } from '../../util/errors.js';
import { nonNegativeInt } from '../../util/flags.js';
import { addGroupFlags, readGroupFlags, withFlags } from '../hparam-flags.js';
import { addRunFlags, type RunFlags } from '../run-flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

export function lotteryCommand(program: Command): void {
  const cmd = program
    .command('lottery')
    .description('find winning tickets by iterative magnitude pruning (Frankle & Carbin 2019), with controls')
    .requiredOption('--model <name>', modelGroup.fields.model.help)
    .option('--levels <n>', 'pruning levels after the dense level 0', nonNegativeInt('--levels', 100), 15)
    .option(
      '--branch <names>',
      `comma-separated controls run at every level: ${BRANCH_NAMES.join(', ')}`,
      parseBranches,
      [] as Branch[],
    );
  addRunFlags(cmd);
  for (const g of Object.values(LOTTERY_GROUPS)) addGroupFlags(cmd, g, { except: ['model'] });
  addGroupFlags(cmd, trainingGroup, { prefix: 'retrain' });
  cmd.action(async (o: RunFlags & Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    const hparams = withFlags(lotteryDefaults(o.model as string), LOTTERY_GROUPS, o);
    validateTraining(hparams.training);
    validatePruning(hparams.pruning);
    const branches = o.branch as Branch[];
    const retrain = retrainHparams(hparams.training, o, branches);
    const bar = progressBar('lottery', 1, !g.json);
    let lastDraw = 0;
    const rows: LevelRecord[] = [];
    try {
      await runLottery({
        hparams,
        levels: o.levels as number,
        replicate: o.replicate,
        seed: o.seed ?? o.replicate,
        root: o.root ?? defaultRoot(),
        branches,
        retrain,
        dataDir: o.dataDir,
        checkpointEvery: o.checkpointEvery,
        kernels: o.kernels,
        signal: stopSignal(),
        onStep: (done, total, info) => {
          if (done - lastDraw >= 20 || done === total) {
            bar.report(done, total, info);
            lastDraw = done;
          }
        },
        onLevel: (r) => {
          rows.push(r);
          const { curve: _curve, ...line } = r;
          emit(g, line);
        },
      });
    } finally {
      bar.stop();
    }
    if (!g.json) printTable(g, rows);
  });
}

/** The retrain branch's training hyperparameters: the trunk's with the `--retrain-*` flags over them. */
function retrainHparams(
  trunk: TrainingHparams,
  o: Record<string, unknown>,
  branches: Branch[],
): TrainingHparams | undefined {
  const given = readGroupFlags(o, trainingGroup, { prefix: 'retrain' });
  const wants = branches.some((b) => b.ownTraining);
  if (Object.keys(given).length === 0) {
    if (wants) throw new ConfigError('--branch retrain needs at least one --retrain-* flag (e.g. --retrain-lr 0.01)');
    return undefined;
  }
  if (!wants) throw new ConfigError('--retrain-* flags need --branch retrain');
  const retrain = { ...trunk, ...given } as TrainingHparams;
  validateTraining(retrain, 'retrain-');
  return retrain;
}

function printTable(g: GlobalOptions, rows: LevelRecord[]): void {
  if (rows.length === 0) return;
  const pct = (v: number, w: number) => (v * 100).toFixed(2).padStart(w);
  say(g, `experiment ${rows[0]!.experiment}, replicate ${rows[0]!.replicate}`);
  const w = Math.max(21, ...rows.map((r) => r.branch.length));
  say(
    g,
    `level  ${'branch'.padEnd(w)}   Pm(%)  test acc  best acc  early-stop it  acc@early-stop  time(s)  kernels (D dense, S sparse)`,
  );
  for (const r of rows) {
    const kernels = r.kernels.map((k) => (k.kernel === 'sparse' ? 'S' : 'D')).join('');
    const time = r.reused ? ' reused' : r.seconds.toFixed(1).padStart(7);
    const cells = [
      String(r.level).padStart(5),
      r.branch.padEnd(w),
      pct(r.density, 6),
      pct(r.test_accuracy, 8),
      pct(r.best_test_accuracy, 8),
    ];
    say(
      g,
      `${cells.join('  ')}  ${String(r.early_stop_step).padStart(13)}  ${pct(r.early_stop_test_accuracy, 14)}  ${time}  ${kernels}`,
    );
  }
}
