// The LeNet-300-100 lottery experiment of Frankle & Carbin (2019): the paper's hyperparameters (the model's
// defaults), iterative magnitude pruning for `levels` levels with the random-reinit control at every level, in
// `replicates` replicates. Each replicate is one `ticketlab lottery` process, so replicates train in parallel; a
// finished level is stored and reused, so rerunning resumes.
import { lotteryDefaults } from '../../hparams/defaults.js';
import type { LotteryHparams } from '../../hparams/groups.js';
import { LotteryExperiment } from '../../lottery/experiment.js';
import type { LevelRecord } from '../../lottery/record.js';
import { InterruptedError } from '../../util/errors.js';
import { inParallel, runCliProcess } from '../cli-processes.js';

export const MODEL = 'mnist_lenet_300_100';
export const BRANCHES = ['random_reinit'] as const;
/** The paper's training length per level. */
export const PAPER_STEPS = '50000it';

export interface LenetGrid {
  replicates: number;
  levels: number;
  /** Iterations per level when not the paper's (smoke tests). */
  steps?: string;
  root: string;
}

export function lenetHparams(g: Pick<LenetGrid, 'steps'>): LotteryHparams {
  const hp = lotteryDefaults(MODEL);
  if (g.steps) hp.training.steps = g.steps;
  return hp;
}

/** The experiment directory and name (lottery_<hash>) the grid writes to. */
export function lenetExperiment(g: LenetGrid): { dir: string; name: string } {
  const { dir, name } = LotteryExperiment.create(g.root, lenetHparams(g), g.levels);
  return { dir, name };
}

/** `ticketlab lottery` arguments of one replicate (numbered from 1, as the CLI does). */
export function replicateArgs(g: LenetGrid, replicate: number): string[] {
  const steps = g.steps ? ['--steps', g.steps] : [];
  return [
    'lottery',
    '--model',
    MODEL,
    '--levels',
    String(g.levels),
    '--replicate',
    String(replicate),
    '--branch',
    BRANCHES.join(','),
    ...steps,
  ];
}

async function runReplicate(g: LenetGrid, replicate: number, onLevel: (r: LevelRecord) => void): Promise<void> {
  const args = ['--json', ...replicateArgs(g, replicate), '--root', g.root];
  const { code } = await runCliProcess(args, (v) => onLevel(v as LevelRecord));
  if (code === 130) throw new InterruptedError(`replicate ${replicate} was stopped; rerun to resume it`);
  if (code !== 0) throw new Error(`replicate ${replicate} failed with exit code ${code}`);
}

/** Runs the replicates, `parallel` processes at a time; returns the number of levels trained (not reused). */
export async function runLenetGrid(
  g: LenetGrid,
  parallel: number,
  onLevel: (r: LevelRecord) => void = () => {},
): Promise<number> {
  const replicates = Array.from({ length: g.replicates }, (_, i) => i + 1);
  let trained = 0;
  const count = (r: LevelRecord) => {
    if (!r.reused) trained++;
    onLevel(r);
  };
  await inParallel(replicates, parallel, (r) => runReplicate(g, r, count));
  return trained;
}
