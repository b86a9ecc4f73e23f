// `plant`: build a task's target for the requested depth, plant it in a seeded mother network and store the run
// (reused when the same task, depth, width and seed were planted before).
import { ConfigError } from '../../util/errors.js';
import { countOnes, layerDensities, totalDensity } from '../../pruning/masks.js';
import { mlpWidths } from './mlp.js';
import { motherNet, plantTarget } from './plant.js';
import { scoreOutputs } from './score.js';
import { isPlantedRun, loadPlantedRun, plantedDir, savePlantedRun, type PlantSpec, type PlantedRun } from './store.js';
import { buildTarget, targetForward, targetRequirements } from './targets.js';
import { makeTask } from './tasks.js';

export function plantRun(spec: PlantSpec, root: string): PlantedRun & { reused: boolean } {
  const { task: name, depth, width, seed } = spec;
  const target = buildTarget(name, depth); // checks the depth
  const minWidth = targetRequirements(name).width;
  if (!Number.isInteger(width) || width < minWidth)
    throw new ConfigError(`the ${name} target needs width >= ${minWidth}, got ${width}`);
  const dir = plantedDir(root, spec);
  if (isPlantedRun(dir)) return { ...loadPlantedRun(dir), reused: true };

  const task = makeTask(name, seed);
  const widths = mlpWidths(task.inDim, task.outDim, depth, width);
  const planted = plantTarget(target, motherNet(widths, seed), widths);
  let edges = 0;
  let total = 0;
  for (const m of planted.mask.values()) {
    edges += countOnes(m);
    total += m.length;
  }
  const run: PlantedRun = {
    dir,
    meta: {
      ...spec,
      task_seed: seed,
      widths,
      target_widths: target.widths,
      scale: Array.from(planted.scale),
      planted_edges: edges,
      total_weights: total,
      density: totalDensity(planted.mask),
      layer_densities: layerDensities(planted.mask),
      fallbacks: planted.fallbacks,
      target_train: scoreOutputs(task, targetForward(target, task.train.x, task.train.n), task.train),
      target_test: scoreOutputs(task, targetForward(target, task.test.x, task.test.n), task.test),
    },
    params: planted.params,
    mask: planted.mask,
    target,
  };
  savePlantedRun(run);
  return { ...run, reused: false };
}
