// The Plant 'n' Seek grid (Fischer & Burkholz, ICLR 2022): tasks × repetitions × densities × modes × pruners at
// depth 5, width 100 (the paper's 25 repetitions single-shot, 10 multishot), and its row store: one file per
// finished configuration under `<root>/rows/`, written atomically, so an interrupted grid resumes where it stopped.
// Repetition r re-plants with seed r (the paper re-draws the network per run) and seeks with seed r. Density 1 keeps
// every weight whatever the pruner or mode, so it is trained once per task and repetition and recorded for every
// pruner × mode, marked `shared_dense`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic.js';
import type { PrunerName } from '../../pruning/scorers/index.js';
import type { SeekResult } from './seek.js';
import type { TaskName } from './tasks.js';

export const DEPTH = 5;
export const WIDTH = 100;
export const DENSITIES = ['1', '0.5', '0.1', '0.01', 'planted'] as const;
export type DensityLabel = (typeof DENSITIES)[number];
export const MODES = ['single', 'multi'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_NAME: Record<Mode, string> = { single: 'single-shot', multi: 'multishot' };
/** The paper's repetitions per mode. */
export const PAPER_REPS: Record<Mode, number> = { single: 25, multi: 10 };
/** Part of every row key: bumped when planting, pruning or scoring change, so older rows are not found again. */
export const GRID_VERSION = 2;

export interface GridOptions {
  /** Repetitions per mode. */
  reps: Record<Mode, number>;
  tasks: TaskName[];
  pruners: PrunerName[];
  /** Training epochs of every ticket. */
  epochs: number;
  /** Multishot rounds. */
  rounds: number;
  /** Prune biases with the weights. */
  pruneBias: boolean;
}

export interface GridJob {
  task: TaskName;
  rep: number;
  density: DensityLabel;
  mode: Mode;
  pruner: PrunerName;
}

/** One recorded configuration: a file under `<root>/rows/`. */
export interface SeekRow {
  key: string;
  task: TaskName;
  rep: number;
  seed: number;
  pruner: PrunerName;
  mode: Mode;
  density_label: DensityLabel;
  epochs: number;
  rounds: number;
  shared_dense: boolean;
  finished_at: string;
  /** Seconds spent on this configuration (shared dense rows: the one run they share, counted once). */
  seconds: number;
  error?: string;
  result?: SeekResult;
}

export const rowsDir = (root: string) => path.join(root, 'rows');

export const maxReps = (o: Pick<GridOptions, 'reps'>) => Math.max(...MODES.map((m) => o.reps[m]));

export function configKey(j: GridJob, o: Pick<GridOptions, 'epochs' | 'rounds' | 'pruneBias'>): string {
  const bias = o.pruneBias ? 'bias' : 'nobias';
  return `${j.task}|rep${j.rep}|${j.pruner}|${j.mode}|${j.density}|e${o.epochs}|r${o.rounds}|${bias}|v${GRID_VERSION}`;
}

/** Every configuration, repetition-major: an interrupted grid leaves every cell with some repetitions. */
export function gridJobs(o: GridOptions): GridJob[] {
  const jobs: GridJob[] = [];
  for (let rep = 0; rep < maxReps(o); rep++)
    for (const task of o.tasks)
      for (const density of DENSITIES)
        for (const mode of MODES.filter((m) => rep < o.reps[m]))
          for (const pruner of o.pruners) jobs.push({ task, rep, density, mode, pruner });
  return jobs;
}

const rowFile = (root: string, key: string) =>
  path.join(rowsDir(root), `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);

export function writeRow(root: string, row: SeekRow): void {
  fs.mkdirSync(rowsDir(root), { recursive: true });
  writeFileAtomic(rowFile(root, row.key), `${JSON.stringify(row)}\n`);
}

export function readRows(root: string): SeekRow[] {
  const dir = rowsDir(root);
  if (!fs.existsSync(dir)) return [];
  const rows: SeekRow[] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    try {
      rows.push(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SeekRow);
    } catch {
      /* unreadable: that configuration is redone */
    }
  }
  return rows;
}

/** The rows of this grid (its tasks, pruners, repetitions and training length), in grid order. */
export function gridRows(root: string, o: GridOptions): SeekRow[] {
  const byKey = new Map(readRows(root).map((r) => [r.key, r]));
  return gridJobs(o)
    .map((j) => byKey.get(configKey(j, o)))
    .filter((r): r is SeekRow => r !== undefined);
}
