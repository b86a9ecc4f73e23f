// The finished levels of lottery experiments, read back through the experiment handle (the directories are the
// source of truth; the SQLite index is only a cache), for reports.
import { defaultRoot } from '../store/root.js';
import { seriesOf } from './branches/registry.js';
import { LotteryExperiment } from './experiment.js';
import type { LevelRecord } from './record.js';

export interface ExperimentResults {
  name: string;
  dir: string;
  hparams: { hparams: unknown; non_default: Record<string, unknown> };
  levels: LevelRecord[];
}

/** Resolves RUN arguments: an experiment directory, a path inside one, or an experiment name under the root. */
export function resolveExperiment(arg: string, root = defaultRoot()): string {
  return LotteryExperiment.open(arg, root).dir;
}

export function collectExperiment(dir: string): ExperimentResults {
  const exp = LotteryExperiment.open(dir, defaultRoot());
  return {
    name: exp.name,
    dir: exp.dir,
    hparams: { hparams: exp.hparams, non_default: exp.nonDefault },
    levels: exp.results(),
  };
}

export const seriesName = seriesOf;
