// `ticketlab plant`: hide a task's known sparse target network in a random network (Plant 'n' Seek) and store it.
import type { Command } from 'commander';
import { defaultRoot } from '../../store/root.js';
import { plantRun } from '../../studies/planted/plant-run.js';
import { TASK_NAMES, type TaskName } from '../../studies/planted/tasks.js';
import { nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

export function plantCommand(program: Command): void {
  program
    .command('plant')
    .description("plant a task's target network in a random network, with its ground-truth mask (Plant 'n' Seek)")
    .requiredOption('--task <name>', `task: ${TASK_NAMES.join(', ')}`, oneOf('--task', TASK_NAMES))
    .option('--depth <n>', 'layers including the input (depth 5 = 4 weight matrices)', positiveInt('--depth', 100), 5)
    .option('--width <n>', 'hidden layer width', positiveInt('--width', 10_000), 100)
    .option('--seed <n>', 'seed of the mother network and the task data', nonNegativeInt('--seed'), 0)
    .option('--root <dir>', `where runs are stored (default ${defaultRoot()}, or TICKETLAB_ROOT)`)
    .action((o: { task: TaskName; depth: number; width: number; seed: number; root?: string }) => {
      const g = program.opts<GlobalOptions>();
      const run = plantRun({ task: o.task, depth: o.depth, width: o.width, seed: o.seed }, o.root ?? defaultRoot());
      const m = run.meta;
      const quality = (s: { loss: number; accuracy?: number }) =>
        s.accuracy === undefined
          ? `MSE ${s.loss.toExponential(3)}`
          : `accuracy ${(100 * s.accuracy).toFixed(2)}% (cross-entropy ${s.loss.toFixed(4)})`;
      say(
        g,
        `${run.reused ? 'reused' : 'planted'} the ${m.task} target (depth ${m.depth}, width ${m.width}, seed ${m.seed}): ${run.dir}`,
      );
      say(g, `  planted density ${m.density.toExponential(3)} (${m.planted_edges} of ${m.total_weights} weights)`);
      say(
        g,
        `  per layer: ${Object.entries(m.layer_densities)
          .map(([n, d]) => `${n} ${d.toExponential(2)}`)
          .join(', ')}`,
      );
      say(g, `  target test ${quality(m.target_test)}, train ${quality(m.target_train)}`);
      if (m.fallbacks.some((f) => f > 0))
        say(
          g,
          `  target neurons planted without a sign-agreeing mother neuron, per layer: ${m.fallbacks.join(', ')} (the output layer has only ${m.widths[m.widths.length - 1]} candidates)`,
        );
      emit(g, {
        run: run.dir,
        task: m.task,
        depth: m.depth,
        width: m.width,
        seed: m.seed,
        density: m.density,
        planted_edges: m.planted_edges,
        total_weights: m.total_weights,
        layer_densities: m.layer_densities,
        target_test_loss: m.target_test.loss,
        target_test_accuracy: m.target_test.accuracy ?? null,
        target_train_loss: m.target_train.loss,
        fallbacks: m.fallbacks,
        reused: run.reused,
      });
    });
}
