// The committed data behind docs/results/planted.md: `docs/results/planted/results.jsonl`, one JSON object a line,
// each with a `kind`:
//   study    (first line) the grid's options and the command that ran it
//   session  one run of the script that trained something: machine, wall time, load (src/report/runtime.ts)
//   plant    one planted network (task × repetition): densities, target quality, trivial predictor, |w| by layer
//   seek     one configuration: scores, recovery (total and per-layer recall), collapse — only what the page shows
// Collected from a run root; the page is rendered from this file alone.
import path from 'node:path';
import { readSessions, type SessionRecord } from '../../report/runtime.js';
import type { PrunerName } from '../../pruning/scorers/index.js';
import { DataError } from '../../util/errors.js';
import {
  DEPTH,
  WIDTH,
  gridRows,
  maxReps,
  rowsDir,
  type DensityLabel,
  type GridOptions,
  type Mode,
  type SeekRow,
} from './grid.js';
import { plantRun } from './plant-run.js';
import type { Score } from './score.js';
import type { SeekResult } from './seek.js';
import { MULTISHOT_EPOCHS, PRUNE_SAMPLES } from './hparams.js';
import { PLANTING_VERSION, type PlantedRun } from './store.js';
import { makeTask, type TaskName } from './tasks.js';

export interface StudyRecord extends GridOptions {
  kind: 'study';
  study: 'planted';
  depth: number;
  width: number;
  prune_batch: number;
  multishot_epochs: number;
  quick: boolean;
  /** The planting code's version (store.ts PLANTING_VERSION) the data was made with; 1 before issue 17's fixes. */
  planting: number;
  /** How to rerun it (no paths). */
  command: string;
}

export interface PlantRecord {
  kind: 'plant';
  task: TaskName;
  rep: number;
  planted_edges: number;
  total_weights: number;
  density: number;
  layer_densities: Record<string, number>;
  /** The target network (the planted ticket's function, untrained) on the test split. */
  target_test: Score;
  /** Test accuracy (classification) or MSE (regression) of the trivial predictor: majority class or training mean. */
  trivial_test: number;
  /** Planted ticket = net(x) / scale, per output. */
  output_scale: number[];
  /** Per weight matrix: planted edges and mean |w| of the planted and of the other weights. */
  magnitudes: Record<string, { planted: number; planted_abs: number; other_abs: number }>;
}

export interface SeekRecord {
  kind: 'seek';
  task: TaskName;
  rep: number;
  pruner: PrunerName;
  mode: Mode;
  density_label: DensityLabel;
  shared_dense: boolean;
  seconds: number;
  finished_at: string;
  failed?: boolean;
  result?: CompactSeek;
}

/** The part of a SeekResult the page reads. */
export interface CompactSeek {
  /** Fraction of prunable parameters kept: weights and biases when the study prunes biases. */
  density: number;
  /** Fraction of weights kept (absent in data from before biases were pruned, where it equals density). */
  weight_density?: number;
  ticket_test: Score;
  planted_test: Score;
  recall: number | null;
  precision: number | null;
  jaccard: number | null;
  layer_recall: Record<string, number | null>;
  collapsed: boolean;
}

export interface PlantedData {
  study: StudyRecord;
  sessions: SessionRecord[];
  plants: PlantRecord[];
  seeks: SeekRecord[];
}

export const sessionsFile = (root: string) => path.join(root, 'sessions.jsonl');

export function compactSeek(r: SeekResult): CompactSeek {
  return {
    density: r.density,
    weight_density: r.weight_density,
    ticket_test: r.ticket.test,
    planted_test: r.planted.test,
    recall: r.recovery.total.recall,
    precision: r.recovery.total.precision,
    jaccard: r.recovery.total.jaccard,
    layer_recall: Object.fromEntries(Object.entries(r.recovery.layers).map(([n, a]) => [n, a.recall])),
    collapsed: r.collapse.collapsed,
  };
}

function seekRecord(r: SeekRow): SeekRecord {
  const { task, rep, pruner, mode, density_label, shared_dense, seconds, finished_at } = r;
  const rec: SeekRecord = { kind: 'seek', task, rep, pruner, mode, density_label, shared_dense, seconds, finished_at };
  // Error messages may name paths on the machine that ran them; the page only counts failures.
  if (r.error || !r.result) rec.failed = true;
  else rec.result = compactSeek(r.result);
  return rec;
}

/** Score of always predicting the majority training class, or the training mean per output. */
export function trivialScore(task: ReturnType<typeof makeTask>): number {
  if (task.kind === 'classification') {
    const counts = new Array<number>(task.outDim).fill(0);
    for (const y of task.train.y) counts[y]!++;
    const major = counts.indexOf(Math.max(...counts));
    let hit = 0;
    for (const y of task.test.y) if (y === major) hit++;
    return hit / task.test.n;
  }
  const d = task.outDim;
  const mu = new Array<number>(d).fill(0);
  task.train.y.forEach((v, i) => (mu[i % d]! += v / task.train.n));
  let se = 0;
  task.test.y.forEach((v, i) => (se += (v - mu[i % d]!) ** 2));
  return se / task.test.y.length;
}

/** Mean |w| of the planted weights against the rest, per weight matrix. */
function magnitudes(run: PlantedRun): PlantRecord['magnitudes'] {
  const out: PlantRecord['magnitudes'] = {};
  for (const [name, mask] of run.mask) {
    const w = run.params.get(name)!;
    let a = 0,
      na = 0,
      b = 0,
      nb = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i]) {
        a += Math.abs(w[i]!);
        na++;
      } else {
        b += Math.abs(w[i]!);
        nb++;
      }
    }
    out[name] = { planted: na, planted_abs: na ? a / na : 0, other_abs: nb ? b / nb : 0 };
  }
  return out;
}

function plantRecord(run: PlantedRun, rep: number): PlantRecord {
  const m = run.meta;
  return {
    kind: 'plant',
    task: m.task,
    rep,
    planted_edges: m.planted_edges,
    total_weights: m.total_weights,
    density: m.density,
    layer_densities: m.layer_densities,
    target_test: m.target_test,
    trivial_test: trivialScore(makeTask(m.task, m.task_seed)),
    output_scale: m.scale,
    magnitudes: magnitudes(run),
  };
}

/** Everything the page needs from a run root, for the grid `o`. */
export function collectPlantedData(
  root: string,
  study: Omit<StudyRecord, 'kind' | 'study' | 'depth' | 'width' | 'prune_batch' | 'multishot_epochs' | 'planting'>,
): PlantedData {
  const rows = gridRows(root, study);
  if (!rows.length) throw new DataError(`no results for this grid in ${rowsDir(root)}`);
  const plants: PlantRecord[] = [];
  for (const task of study.tasks)
    for (let rep = 0; rep < maxReps(study); rep++)
      if (rows.some((r) => r.task === task && r.rep === rep))
        plants.push(plantRecord(plantRun({ task, depth: DEPTH, width: WIDTH, seed: rep }, root), rep));
  return {
    study: {
      kind: 'study',
      study: 'planted',
      depth: DEPTH,
      width: WIDTH,
      prune_batch: PRUNE_SAMPLES,
      multishot_epochs: MULTISHOT_EPOCHS,
      ...study,
      planting: PLANTING_VERSION,
    },
    sessions: readSessions(sessionsFile(root)),
    plants,
    seeks: rows.map(seekRecord),
  };
}

export function formatPlantedData(d: PlantedData): string {
  const lines = [d.study, ...d.sessions.map((s) => ({ kind: 'session', ...s })), ...d.plants, ...d.seeks];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export function parsePlantedData(text: string): PlantedData {
  const d: Partial<PlantedData> & Pick<PlantedData, 'sessions' | 'plants' | 'seeks'> = {
    sessions: [],
    plants: [],
    seeks: [],
  };
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { kind?: string };
    if (rec.kind === 'study') d.study = studyRecord(rec as StudyRecord | OldStudyRecord);
    else if (rec.kind === 'session') {
      const { kind: _kind, ...s } = rec as SessionRecord & { kind: string };
      d.sessions.push(s);
    } else if (rec.kind === 'plant') d.plants.push(rec as PlantRecord);
    else if (rec.kind === 'seek') d.seeks.push(rec as SeekRecord);
    else throw new DataError(`planted results line ${i + 1}: unknown kind '${String(rec.kind)}'`);
  }
  if (!d.study) throw new DataError('planted results: no study line');
  return d as PlantedData;
}

/** A study line written before repetitions were counted per mode and biases could be pruned. */
type OldStudyRecord = Omit<StudyRecord, 'reps' | 'pruneBias' | 'planting'> & { reps: number };

/** Reads old study lines as the current record: the same repetitions in both modes, biases never pruned, planting 1. */
function studyRecord(rec: StudyRecord | OldStudyRecord): StudyRecord {
  if (typeof rec.reps !== 'number') return rec as StudyRecord;
  return { ...rec, reps: { single: rec.reps, multi: rec.reps }, pruneBias: false, planting: 1 };
}
