// The LeNet-300-100 lottery experiment of Frankle & Carbin (2019): the paper's hyperparameters (the model's
// defaults), iterative magnitude pruning for `levels` levels with the random-reinit control at every level, in
// `replicates` replicates. Each replicate's chain and its controls are `ticketlab lottery` processes, so they
// train in parallel; a finished level is stored and reused, so rerunning resumes.
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

/**
 * `ticketlab lottery` arguments of one replicate (numbered from 1, as the CLI does): its IMP chain alone, or with the
 * controls, which reuse the chain's stored levels and train only the controls.
 */
export function replicateArgs(g: LenetGrid, replicate: number, controls = true): string[] {
  const steps = g.steps ? ['--steps', g.steps] : [];
  const branch = controls ? ['--branch', BRANCHES.join(',')] : [];
  return [
    'lottery',
    '--model',
    MODEL,
    '--levels',
    String(g.levels),
    '--replicate',
    String(replicate),
    ...branch,
    ...steps,
  ];
}

/** One process of the grid: a replicate's IMP chain, or its controls (which need the chain's levels). */
interface Job {
  replicate: number;
  controls: boolean;
}

async function runJob(g: LenetGrid, job: Job, onLevel: (r: LevelRecord) => void): Promise<void> {
  const args = ['--json', ...replicateArgs(g, job.replicate, job.controls), '--root', g.root];
  // The controls' process reports the chain's levels again, as reused: only its own levels are passed on.
  const pass = (v: unknown) => {
    const r = v as LevelRecord;
    if (!job.controls || r.branch !== 'main') onLevel(r);
  };
  const { code } = await runCliProcess(args, pass);
  const what = `replicate ${job.replicate}${job.controls ? "'s controls" : ''}`;
  if (code === 130) throw new InterruptedError(`${what} was stopped; rerun to resume it`);
  if (code !== 0) throw new Error(`${what} failed with exit code ${code}`);
}

/**
 * The jobs in the order they start: each replicate's chain, then its controls `parallel` jobs later, so a control
 * job rarely waits for its chain and no process is left alone at the end (5 replicates on 2 processes run as 10
 * half-replicate jobs in 5 rounds, not 3 rounds of whole replicates).
 */
export function jobOrder(replicates: number, parallel: number): Job[] {
  const keyed: [number, Job][] = [];
  for (let r = 1; r <= replicates; r++) {
    keyed.push([r, { replicate: r, controls: false }]);
    keyed.push([r + Math.max(1, parallel) - 0.5, { replicate: r, controls: true }]);
  }
  return keyed.sort((a, b) => a[0] - b[0]).map(([, j]) => j);
}

/** Runs the replicates, `parallel` processes at a time; returns the number of levels trained (not reused). */
export async function runLenetGrid(
  g: LenetGrid,
  parallel: number,
  onLevel: (r: LevelRecord) => void = () => {},
): Promise<number> {
  let trained = 0;
  const count = (r: LevelRecord) => {
    if (!r.reused) trained++;
    onLevel(r);
  };
  const chains = new Map<number, Promise<void>>();
  await inParallel(jobOrder(g.replicates, parallel), parallel, async (job) => {
    if (!job.controls) {
      const chain = runJob(g, job, count);
      chains.set(job.replicate, chain);
      return chain;
    }
    await chains.get(job.replicate);
    return runJob(g, job, count);
  });
  return trained;
}
