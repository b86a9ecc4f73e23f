// A module's parameters and buffers to and from checkpoints. Loading checks every name, shape and dtype against
// the headers before reading any data, so a checkpoint that does not fit the model changes nothing; then it reads
// tensor by tensor, so memory grows by the largest tensor, not by the checkpoint.
import type { Module } from '../nn/module.js';
import { shapeStr } from '../engine/tensor.js';
import { DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { FLOAT_DTYPES } from './dtypes.js';
import type { TensorEntry } from './header.js';
import { compileMapping, type NameMapping } from './mapping.js';
import type { Checkpoint } from './open.js';
import { readTensor } from './read-tensor.js';
import type { TensorSource } from './shard-plan.js';

interface Target {
  shape: readonly number[];
  assign: (values: Float32Array) => void;
}

interface PlannedLoad {
  entry: TensorEntry;
  parameter: string;
  transpose: boolean;
  target: Target;
}

export interface LoadReport {
  /** Checkpoint tensor -> the parameter or buffer it was loaded into. */
  loaded: { tensor: string; parameter: string; file: string }[];
  /** Checkpoint tensors the mapping skipped. */
  skipped: string[];
}

/** Every parameter and buffer of `module` as tensors to save (dense values, read one at a time). */
export function moduleTensors(module: Module): TensorSource[] {
  return [
    ...module.namedParameters().map(([name, p]) => ({ name, shape: p.shape, values: () => p.denseCopy() })),
    ...module.namedBuffers().map(([name, b]) => ({ name, shape: [b.length], values: () => b })),
  ];
}

/**
 * Loads `checkpoint` into `module` through `mapping`. A tensor with no place in the module, a parameter with no
 * tensor, a shape that differs and a dtype that is not a float are DataErrors naming the tensor and its file,
 * raised before anything is loaded. NaN or infinite values show only while reading: that DataError comes after
 * earlier tensors were loaded. Masks stay attached (masked weights stay zero); packed weights stay packed.
 */
export function loadCheckpointIntoModule(module: Module, checkpoint: Checkpoint, mapping?: NameMapping): LoadReport {
  const { plan, skipped } = planLoad(module, checkpoint, mapping);
  for (const step of plan) {
    const { entry } = step;
    const { data, shape } = readTensor(entry);
    let values = data instanceof Float32Array ? data : Float32Array.from(data as Float64Array);
    if (step.transpose) values = transpose2d(values, shape[0]!, shape[1]!);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new DataError(
        `tensor ${quote(entry.name)} in ${entry.file} holds ${values[bad]} at element ${bad}; weights must be finite`,
      );
    }
    step.target.assign(values);
  }
  return {
    loaded: plan.map((s) => ({ tensor: s.entry.name, parameter: s.parameter, file: s.entry.file })),
    skipped,
  };
}

function planLoad(module: Module, checkpoint: Checkpoint, mapping?: NameMapping) {
  const targets = new Map<string, Target>();
  for (const [name, p] of module.namedParameters())
    targets.set(name, { shape: p.shape, assign: (v) => p.assignDense(v) });
  for (const [name, b] of module.namedBuffers()) targets.set(name, { shape: [b.length], assign: (v) => b.set(v) });

  const mapName = compileMapping(mapping);
  const plan: PlannedLoad[] = [];
  const skipped: string[] = [];
  const filledBy = new Map<string, TensorEntry>();
  for (const entry of checkpoint.tensors.values()) {
    const mapped = mapName(entry.name);
    if (!mapped) {
      skipped.push(entry.name);
      continue;
    }
    const where = `tensor ${quote(entry.name)} in ${entry.file}`;
    const renamed = mapped.target === entry.name ? '' : ` (mapped to ${quote(mapped.target)})`;
    const target = targets.get(mapped.target);
    if (!target) throw new DataError(`${where}${renamed} matches no parameter of the model`);
    const other = filledBy.get(mapped.target);
    if (other) throw new DataError(`${where} and tensor ${quote(other.name)} both map to ${quote(mapped.target)}`);
    filledBy.set(mapped.target, entry);
    checkFits(entry, mapped.target, mapped.transpose, target, where);
    plan.push({ entry, parameter: mapped.target, transpose: mapped.transpose, target });
  }
  const missing = [...targets.keys()].filter((name) => !filledBy.has(name));
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new DataError(`checkpoint ${checkpoint.source} has no tensor for parameter ${quote(missing[0]!)}${more}`);
  }
  return { plan, skipped };
}

function checkFits(entry: TensorEntry, parameter: string, transpose: boolean, target: Target, where: string): void {
  if (!FLOAT_DTYPES.includes(entry.dtype))
    throw new DataError(
      `${where} has dtype ${entry.dtype}, which does not convert to float32 parameter ${quote(parameter)}`,
    );
  if (transpose && entry.shape.length !== 2)
    throw new DataError(`${where} has shape ${shapeStr(entry.shape)}; only a 2-D tensor can be transposed`);
  const shape = transpose ? [...entry.shape].reverse() : entry.shape;
  if (shape.length !== target.shape.length || shape.some((n, i) => n !== target.shape[i])) {
    const seen = transpose ? `${shapeStr(entry.shape)}, transposed ${shapeStr(shape)}` : shapeStr(shape);
    throw new DataError(`${where} has shape ${seen}, parameter ${quote(parameter)} has ${shapeStr(target.shape)}`);
  }
}

function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
