// Rows of the run index as stored and as returned. SQLite keeps no checksums, so a damaged page can hand back a
// value of the wrong type (a number where text belongs, a blob); every row is checked before it is returned.
import { UserError } from '../util/errors.js';

export interface RunRow {
  id: string;
  kind: string;
  model: string;
  dir: string;
  hparams: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  status: string;
}

export interface LevelRow {
  runId: string;
  level: number;
  /** Fraction of weights remaining. */
  density: number;
  testAccuracy: number | null;
  bestTestAccuracy: number | null;
  earlyStopStep: number | null;
  layerDensity: Record<string, number> | null;
  /** Any further JSON (e.g. accuracy curves). */
  data: unknown;
}

/** Column names of the two tables, in schema order (checked when the index is opened). */
export const RUN_COLUMNS = ['id', 'kind', 'model', 'dir', 'hparams', 'created_at', 'updated_at', 'status'];
export const LEVEL_COLUMNS = [
  'run_id',
  'level',
  'density',
  'test_accuracy',
  'best_test_accuracy',
  'early_stop_step',
  'layer_density',
  'data',
];

export const DELETE_ADVICE =
  'it is only a cache: delete it (with its -wal and -shm files) and it is rebuilt from the run directories';

/** The one error for a damaged index, whatever the damage. */
export function corruptIndex(file: string, why: string): UserError {
  return new UserError(`run index ${file} is corrupt (${why}); ${DELETE_ADVICE}`);
}

type Record_ = Record<string, unknown>;

export function toRun(r: Record_, file: string): RunRow {
  const text = (col: string): string => {
    if (typeof r[col] !== 'string') throw corruptIndex(file, `runs.${col} holds ${typeName(r[col])}, not text`);
    return r[col] as string;
  };
  const hparams = parseJson(text('hparams'), file, 'runs.hparams');
  if (!isObject(hparams)) throw corruptIndex(file, 'runs.hparams is not a JSON object');
  return {
    id: text('id'),
    kind: text('kind'),
    model: text('model'),
    dir: text('dir'),
    hparams,
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
    status: text('status'),
  };
}

export function toLevel(r: Record_, file: string): LevelRow {
  const num = (col: string, nullable: boolean, integer = false): number | null => {
    const v = r[col];
    if (v === null && nullable) return null;
    if (typeof v !== 'number' || (integer && !Number.isInteger(v))) {
      throw corruptIndex(file, `levels.${col} holds ${typeName(v)}, not ${integer ? 'an integer' : 'a number'}`);
    }
    return v;
  };
  const json = (col: string): unknown => {
    const v = r[col];
    if (v === null) return null;
    if (typeof v !== 'string') throw corruptIndex(file, `levels.${col} holds ${typeName(v)}, not JSON text`);
    return parseJson(v, file, `levels.${col}`);
  };
  if (typeof r.run_id !== 'string') throw corruptIndex(file, `levels.run_id holds ${typeName(r.run_id)}, not text`);
  const layerDensity = json('layer_density');
  if (
    layerDensity !== null &&
    !(isObject(layerDensity) && Object.values(layerDensity).every((d) => typeof d === 'number'))
  ) {
    throw corruptIndex(file, 'levels.layer_density is not an object of numbers');
  }
  return {
    runId: r.run_id,
    level: num('level', false, true)!,
    density: num('density', false)!,
    testAccuracy: num('test_accuracy', true),
    bestTestAccuracy: num('best_test_accuracy', true),
    earlyStopStep: num('early_stop_step', true, true),
    layerDensity: layerDensity as Record<string, number> | null,
    data: json('data'),
  };
}

function parseJson(text: string, file: string, col: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corruptIndex(file, `${col} is not JSON`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return 'a blob';
  return typeof v === 'string' ? 'text' : `a ${typeof v}`;
}
