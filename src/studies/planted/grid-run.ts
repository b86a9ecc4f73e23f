// Running the Plant 'n' Seek grid: every configuration not yet recorded, in this process (parallel 1) or in
// `parallel` child processes, each one `ticketlab seek` (the grid plants the networks first, in this process, so no
// two children write the same planted run). A configuration's result depends only on its options, never on which
// process ran it.
import { inParallel, runCliProcess } from '../cli-processes.js';
import { PLANTED_DEFAULTS } from './hparams.js';
import { plantRun } from './plant-run.js';
import { seek, type SeekOptions, type SeekResult } from './seek.js';
import {
  DEPTH,
  MODES,
  WIDTH,
  configKey,
  gridJobs,
  readRows,
  writeRow,
  type GridJob,
  type GridOptions,
  type SeekRow,
} from './grid.js';

export interface GridProgress {
  job: GridJob;
  index: number;
  todo: number;
  seconds: number;
  result?: SeekResult;
  error?: string;
}

type JobOutcome = { result?: SeekResult; error?: string; seconds: number };

/** The options of the grid's one call to `seek`; density 1 prunes nothing, so it runs single-shot. */
export function seekOptions(j: GridJob, o: GridOptions): SeekOptions {
  const dense = j.density === '1';
  return {
    pruner: dense ? 'random' : j.pruner,
    density: j.density === 'planted' ? 'planted' : Number(j.density),
    multishot: !dense && j.mode === 'multi',
    rounds: o.rounds,
    scope: 'global',
    pruneBias: o.pruneBias,
    train: { ...PLANTED_DEFAULTS, training: { ...PLANTED_DEFAULTS.training, steps: `${o.epochs}ep` } },
    seed: j.rep,
  };
}

/** The same seek as `ticketlab seek` arguments. */
export function seekArgs(plantedDir: string, s: SeekOptions): string[] {
  return [
    '--json',
    'seek',
    ...['--planted', plantedDir, '--pruner', s.pruner, '--density', String(s.density), '--scope', s.scope!],
    ...(s.multishot ? ['--multishot', '--rounds', String(s.rounds)] : []),
    ...(s.pruneBias ? [] : ['--no-prune-bias']),
    ...['--seed', String(s.seed), '--steps', s.train!.training.steps],
  ];
}

/** Runs one seek in a `ticketlab seek` child process; its stored result is the same object `seek` returns. */
async function inChild(plantedDir: string, s: SeekOptions): Promise<SeekResult> {
  let result: (SeekResult & { reused?: boolean }) | undefined;
  const { code, stderr } = await runCliProcess(seekArgs(plantedDir, s), (v) => (result = v as SeekResult), 'pipe');
  if (code !== 0 || !result)
    throw new Error(stderr.trim().split('\n').at(-1) || `ticketlab seek exited with code ${code}`);
  const { reused: _reused, ...r } = result;
  return r;
}

async function runJob(root: string, j: GridJob, o: GridOptions, child: boolean): Promise<JobOutcome> {
  const t0 = Date.now();
  try {
    const run = plantRun({ task: j.task, depth: DEPTH, width: WIDTH, seed: j.rep }, root);
    const s = seekOptions(j, o);
    const result = child ? await inChild(run.dir, s) : await seek(run, s);
    return { result, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}`, seconds: (Date.now() - t0) / 1000 };
  }
}

/** The rows one finished job records: one, or one per pruner × mode for the shared dense network. */
function rowsOf(j: GridJob, o: GridOptions, out: JobOutcome, done: Set<string>): SeekRow[] {
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
    return [{ key: configKey(j, o), ...base, pruner: j.pruner, mode: j.mode, shared_dense: false, ...out }];
  const rows: SeekRow[] = [];
  for (const mode of MODES.filter((m) => j.rep < o.reps[m]))
    for (const pruner of o.pruners) {
      const key = configKey({ ...j, mode, pruner }, o);
      if (done.has(key)) continue;
      const result = out.result && {
        ...out.result,
        pruner,
        multishot: mode === 'multi',
        rounds: mode === 'multi' ? o.rounds : null,
      };
      const seconds = key === configKey(j, o) ? out.seconds : 0;
      rows.push({ key, ...base, pruner, mode, shared_dense: true, seconds, result });
    }
  return rows;
}

/** The runs still needed: every missing configuration, and density 1 once per task and repetition. */
function pendingJobs(o: GridOptions, done: Set<string>): GridJob[] {
  const dense = new Set<string>();
  return gridJobs(o).filter((j) => {
    if (done.has(configKey(j, o))) return false;
    if (j.density !== '1') return true;
    const id = `${j.task}|${j.rep}`;
    if (dense.has(id)) return false;
    dense.add(id);
    return true;
  });
}

export interface RunGridOptions {
  /** Child processes running configurations at once; 1 runs them in this process. */
  parallel?: number;
  onJob?: (p: GridProgress) => void;
}

/** Runs every configuration not yet recorded under `root`; returns how many rows it recorded. */
export async function runGrid(root: string, o: GridOptions, opts: RunGridOptions = {}): Promise<number> {
  const parallel = opts.parallel ?? 1;
  const done = new Set(readRows(root).map((r) => r.key));
  const todo = pendingJobs(o, done);
  let recorded = 0;
  let index = 0;
  await inParallel(todo, parallel, async (j) => {
    const out = await runJob(root, j, o, parallel > 1);
    for (const row of rowsOf(j, o, out, done)) {
      writeRow(root, row);
      done.add(row.key);
      recorded++;
    }
    opts.onJob?.({ job: j, index: index++, todo: todo.length, ...out });
  });
  return recorded;
}
