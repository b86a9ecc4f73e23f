// The Plant 'n' Seek grid (Fischer & Burkholz, ICLR 2022): tasks × repetitions × densities × modes × pruners at
// depth 5, width 100, and its row store `<root>/results.jsonl` (one line per finished configuration, appended as
// it finishes, so an interrupted grid resumes where it stopped).
// Repetition r re-plants with seed r (the paper re-draws the network per run) and seeks with seed r. Density 1 keeps
// every weight whatever the pruner or mode, so it is trained once per task and repetition and recorded for every
// pruner × mode, marked `shared_dense`.
import { PLANTED_DEFAULTS } from './hparams.js';
import fs from 'node:fs';
import path from 'node:path';
import type { PrunerName } from '../../pruning/scorers/index.js';
import { plantRun } from './plant-run.js';
import { seek, type SeekOptions, type SeekResult } from './seek.js';
import type { PlantedRun } from './store.js';
import type { TaskName } from './tasks.js';

export const DEPTH = 5;
export const WIDTH = 100;
export const DENSITIES = ['1', '0.5', '0.1', '0.01', 'planted'] as const;
export type DensityLabel = (typeof DENSITIES)[number];
export const MODES = ['single', 'multi'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_NAME: Record<Mode, string> = { single: 'single-shot', multi: 'multishot' };

export interface GridOptions {
  reps: number;
  tasks: TaskName[];
  pruners: PrunerName[];
  /** Training epochs of every ticket. */
  epochs: number;
  /** Multishot rounds. */
  rounds: number;
}

export interface GridJob {
  task: TaskName;
  rep: number;
  density: DensityLabel;
  mode: Mode;
  pruner: PrunerName;
}

/** One recorded configuration: a line of `<root>/results.jsonl`. */
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

export const rowsFile = (root: string) => path.join(root, 'results.jsonl');

export function configKey(j: GridJob, o: Pick<GridOptions, 'epochs' | 'rounds'>): string {
  return `${j.task}|rep${j.rep}|${j.pruner}|${j.mode}|${j.density}|e${o.epochs}|r${o.rounds}`;
}

/** Every configuration, repetition-major: an interrupted grid leaves every cell with some repetitions. */
export function gridJobs(o: GridOptions): GridJob[] {
  const jobs: GridJob[] = [];
  for (let rep = 0; rep < o.reps; rep++)
    for (const task of o.tasks)
      for (const density of DENSITIES)
        for (const mode of MODES) for (const pruner of o.pruners) jobs.push({ task, rep, density, mode, pruner });
  return jobs;
}

export function readRows(root: string): SeekRow[] {
  const file = rowsFile(root);
  if (!fs.existsSync(file)) return [];
  const rows: SeekRow[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as SeekRow);
    } catch {
      /* a line cut short by an interruption: that configuration is redone */
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

/** The options of the grid's one call to `seek`; density 1 prunes nothing, so it runs single-shot. */
function seekOptions(j: GridJob, o: GridOptions): SeekOptions {
  const dense = j.density === '1';
  return {
    pruner: dense ? 'random' : j.pruner,
    density: j.density === 'planted' ? 'planted' : Number(j.density),
    multishot: !dense && j.mode === 'multi',
    rounds: o.rounds,
    scope: 'global',
    train: { ...PLANTED_DEFAULTS, training: { ...PLANTED_DEFAULTS.training, steps: `${o.epochs}ep` } },
    seed: j.rep,
  };
}

async function runJob(
  run: PlantedRun,
  j: GridJob,
  o: GridOptions,
): Promise<{ result?: SeekResult; error?: string; seconds: number }> {
  const t0 = Date.now();
  try {
    const result = await seek(run, seekOptions(j, o));
    return { result, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`, seconds: (Date.now() - t0) / 1000 };
  }
}

/** The rows one finished job records: one, or one per pruner × mode for the shared dense network. */
function rowsOf(j: GridJob, o: GridOptions, out: Awaited<ReturnType<typeof runJob>>, done: Set<string>): SeekRow[] {
  const base = {
    task: j.task,
    rep: j.rep,
    seed: j.rep,
    density_label: j.density,
    epochs: o.epochs,
    rounds: o.rounds,
    finished_at: new Date().toISOString(),
    error: out.error,
  };
  if (j.density !== '1')
    return [
      {
        key: configKey(j, o),
        ...base,
        pruner: j.pruner,
        mode: j.mode,
        shared_dense: false,
        seconds: out.seconds,
        result: out.result,
      },
    ];
  const rows: SeekRow[] = [];
  for (const mode of MODES)
    for (const pruner of o.pruners) {
      const key = configKey({ ...j, mode, pruner }, o);
      if (done.has(key)) continue;
      const result = out.result && {
        ...out.result,
        pruner,
        multishot: mode === 'multi',
        rounds: mode === 'multi' ? o.rounds : null,
      };
      rows.push({
        key,
        ...base,
        pruner,
        mode,
        shared_dense: true,
        seconds: key === configKey(j, o) ? out.seconds : 0,
        result,
      });
    }
  return rows;
}

export interface GridProgress {
  job: GridJob;
  index: number;
  todo: number;
  seconds: number;
  result?: SeekResult;
  error?: string;
}

/** Runs every configuration not yet recorded under `root`; returns how many it recorded. */
export async function runGrid(root: string, o: GridOptions, onJob?: (p: GridProgress) => void): Promise<number> {
  fs.mkdirSync(root, { recursive: true });
  const done = new Set(readRows(root).map((r) => r.key));
  const todo = gridJobs(o).filter((j) => !done.has(configKey(j, o)));
  let recorded = 0;
  for (const [index, j] of todo.entries()) {
    if (done.has(configKey(j, o))) continue; // recorded by a shared dense run
    const run = plantRun({ task: j.task, depth: DEPTH, width: WIDTH, seed: j.rep }, root);
    const out = await runJob(run, j, o);
    for (const row of rowsOf(j, o, out, done)) {
      fs.appendFileSync(rowsFile(root), `${JSON.stringify(row)}\n`);
      done.add(row.key);
      recorded++;
    }
    onJob?.({ job: j, index, todo: todo.length, ...out });
  }
  return recorded;
}
