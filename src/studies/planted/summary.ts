// Aggregation of the committed Plant 'n' Seek data: cells of the grid (task × pruner × mode × density, over
// repetitions), the reference points per task, and the one scale every task is judged on, the fraction of the
// achievable improvement (FAI) from a trivial predictor (0) to the target network, the planted ticket's own
// function (1). Regression scores are the paper's: the MSE after least-squares output rescaling (score.ts).
import { summarize } from '../../report/aggregate.js';
import { DENSITIES, MODES, type DensityLabel, type Mode } from './grid.js';
import type { Score } from './score.js';
import type { CompactSeek, PlantRecord, PlantedData, SeekRecord } from './study-data.js';
import type { TaskName } from './tasks.js';

/** A ticket works when its mean FAI reaches this, on every task (fixed before any run, never tuned to the data). */
export const FAI_MIN = 0.95;

export interface Cell {
  rows: CompactSeek[];
  failed: number;
}

export const isClass = (t: TaskName) => t === 'circle';
/** Test accuracy (circle) or rescaled test MSE (relu, helix; the plain MSE in data from before it was stored). */
export const score = (t: TaskName, s: Score) => (isClass(t) ? s.accuracy! : (s.loss_rescaled ?? s.loss));
export const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
export const present = <T>(v: readonly (T | null | undefined)[]) =>
  v.filter((x): x is T => x !== null && x !== undefined);

export interface PlantedSummary {
  data: PlantedData;
  /** Tasks with at least one recorded configuration, in the grid's order. */
  tasks: TaskName[];
  cell(t: TaskName, p: string, m: Mode, d: DensityLabel): Cell;
  /** Mean score of a cell's found tickets (NaN when empty). */
  cellScore(t: TaskName, p: string, m: Mode, d: DensityLabel): number;
  plants(t: TaskName): PlantRecord[];
  /** The planted ticket trained like the others, one value per repetition. */
  plantedScores(t: TaskName): number[];
  /** The dense network (density 1) trained, one value per repetition. */
  denseScores(t: TaskName): number[];
  targetScore(t: TaskName): number;
  trivialScore(t: TaskName): number;
  fai(t: TaskName, v: number): number;
  /** Whether a mean score works: FAI ≥ FAI_MIN. */
  works(t: TaskName, v: number): boolean;
  expected: number;
  complete: boolean;
}

function cellsOf(seeks: readonly SeekRecord[]): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const r of seeks) {
    const k = `${r.task}|${r.pruner}|${r.mode}|${r.density_label}`;
    const c = cells.get(k) ?? { rows: [], failed: 0 };
    if (r.result) c.rows.push(r.result);
    else c.failed++;
    cells.set(k, c);
  }
  return cells;
}

export function summarizePlanted(data: PlantedData): PlantedSummary {
  const { study, seeks } = data;
  const cells = cellsOf(seeks);
  const cell = (t: TaskName, p: string, m: Mode, d: DensityLabel) =>
    cells.get(`${t}|${p}|${m}|${d}`) ?? { rows: [], failed: 0 };
  const tasks = study.tasks.filter((t) => seeks.some((r) => r.task === t));
  const plants = (t: TaskName) => data.plants.filter((p) => p.task === t);
  const plantedScores = (t: TaskName) => {
    const byRep = new Map<number, number>();
    for (const r of seeks) if (r.task === t && r.result) byRep.set(r.rep, score(t, r.result.planted_test));
    return [...byRep.values()];
  };
  const denseScores = (t: TaskName) =>
    cell(t, study.pruners[0]!, 'single', '1').rows.map((r) => score(t, r.ticket_test));
  const targetScore = (t: TaskName) => mean(plants(t).map((p) => score(t, p.target_test)));
  const trivialScore = (t: TaskName) => mean(plants(t).map((p) => p.trivial_test));
  const fai = (t: TaskName, v: number) => {
    const b = trivialScore(t);
    return (isClass(t) ? v - b : b - v) / Math.abs(targetScore(t) - b);
  };
  const reps = MODES.reduce((a, m) => a + study.reps[m], 0);
  const expected = tasks.length * study.pruners.length * DENSITIES.length * reps;
  return {
    data,
    tasks,
    cell,
    cellScore: (t, p, m, d) => mean(cell(t, p, m, d).rows.map((r) => score(t, r.ticket_test))),
    plants,
    plantedScores,
    denseScores,
    targetScore,
    trivialScore,
    fai,
    works: (t, v) => fai(t, v) >= FAI_MIN,
    expected,
    complete: seeks.length >= expected && seeks.every((r) => !r.failed),
  };
}

/** Mean ± sample std: accuracy in % (circle), MSE in scientific notation (relu, helix); '—' when empty. */
export function formatScores(t: TaskName, v: readonly number[]): string {
  if (!v.length) return '—';
  const s = summarize(v);
  if (isClass(t)) return `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;
  return `${s.mean.toExponential(2)} ± ${s.std.toExponential(1)}`;
}

/** A fraction as a percentage with enough digits for small values: 12.34, 0.020, 0.0099. */
export const pctStr = (x: number) =>
  Math.abs(100 * x) >= 0.1 || x === 0 ? (100 * x).toFixed(2) : (100 * x).toPrecision(2);

export function formatPercents(v: readonly (number | null)[]): string {
  const w = present(v);
  if (!w.length) return '—';
  const s = summarize(w);
  return `${pctStr(s.mean)} ± ${pctStr(s.std)}`;
}

/** One score: '98.92%' or '9.68e-5'. */
export const formatScore = (t: TaskName, v: number) => (isClass(t) ? `${(100 * v).toFixed(2)}%` : v.toExponential(2));
export const scoreName = (t: TaskName) => (isClass(t) ? 'test accuracy (%)' : 'test MSE');

/**
 * Whether cell a beats cell b by more than their combined standard errors, √(se_a² + se_b²): the page's one test
 * for "better" (fixed before any run). Higher is better for accuracy, lower for MSE.
 */
export function clearlyBetter(t: TaskName, a: readonly number[], b: readonly number[]): boolean {
  if (a.length < 2 || b.length < 2) return false;
  const [sa, sb] = [summarize(a), summarize(b)];
  const se = Math.sqrt(sa.std ** 2 / sa.n + sb.std ** 2 / sb.n);
  return (isClass(t) ? sa.mean - sb.mean : sb.mean - sa.mean) > se;
}
