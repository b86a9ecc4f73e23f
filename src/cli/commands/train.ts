// `ticketlab train`: trains a registered model on its dataset, stores the run, and reports test accuracy and speed.
import type { Command } from 'commander';
import { native } from '../../engine/native.js';
import { modelGroup, TRAIN_GROUPS } from '../../hparams/groups.js';
import { trainDefaults } from '../../hparams/defaults.js';
import { validateTraining } from '../../hparams/validate.js';
import { runTraining } from '../../training/runner.js';
import { defaultRoot } from '../../store/root.js';
import { addGroupFlags, withFlags } from '../hparam-flags.js';
import { addRunFlags, type RunFlags } from '../run-flags.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

export function trainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on its dataset and report test accuracy (stored and resumable like every run)')
    .option('--model <name>', modelGroup.fields.model.help, 'mnist_lenet_300_100');
  addRunFlags(cmd);
  for (const g of Object.values(TRAIN_GROUPS)) addGroupFlags(cmd, g, { except: ['model'] });
  cmd.action(async (o: RunFlags & Record<string, unknown>) => {
    const g = program.opts<GlobalOptions>();
    const started = process.hrtime.bigint();
    const hparams = withFlags(trainDefaults(o.model as string), TRAIN_GROUPS, o);
    validateTraining(hparams.training);
    const bar = progressBar('train', 1, !g.json);
    let shown = 0;
    const r = await runTraining({
      hparams,
      replicate: o.replicate,
      seed: o.seed ?? o.replicate,
      root: o.root ?? defaultRoot(),
      dataDir: o.dataDir,
      checkpointEvery: o.checkpointEvery,
      kernels: o.kernels,
      signal: stopSignal(),
      onStep: (step, total, loss) => {
        if (step - shown >= 10 || step === total) {
          bar.report(step, total, `loss ${loss.toFixed(4)}`);
          shown = step;
        }
      },
    }).finally(() => bar.stop());
    const { curve: _curve, ...result } = r;
    const info = native.info();
    const out = {
      ...result,
      batch_size: hparams.dataset.batchSize,
      optimizer: hparams.training.optimizer,
      lr: hparams.training.lr,
      init: hparams.model.init,
      wall_seconds: Number(process.hrtime.bigint() - started) / 1e9,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      gemm: info.gemm,
      threads: info.threads,
    };
    if (g.json) return emit(g, out);
    const acc = (a: number) => `${(a * 100).toFixed(2)}%`;
    if (r.reused)
      say(g, `reused the finished run ${r.run} replicate ${r.replicate} (another --replicate trains again)`);
    say(
      g,
      `${r.model}: test accuracy ${acc(r.test_accuracy)} (loss ${r.test_loss.toFixed(4)}) after ${r.steps} steps; early stop at ${r.early_stop_step}: ${acc(r.early_stop_test_accuracy)}`,
    );
    const rate = Math.round(r.examples_per_second).toLocaleString('en-US');
    say(
      g,
      `training ${r.seconds.toFixed(1)} s, ${rate} examples/s (${info.gemm} GEMM, ${info.threads} thread${info.threads > 1 ? 's' : ''}); peak memory ${out.peak_rss_mb.toFixed(0)} MB`,
    );
  });
}
