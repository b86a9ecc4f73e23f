// Which tensors an LTP mask covers, paired across the two checkpoints: by default every floating-point tensor of two
// or more dimensions (biases and norms are left out), or the floating-point tensors whose names match a pattern. Each
// must be in both checkpoints with one shape and dtype, or the |Δ| would compare unlike things.
import { ConfigError, DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { compareUtf8, numel } from '../store/safetensors-format.js';
import { checkpointTensor, type Checkpoint } from '../checkpoints/open.js';
import type { CheckpointDtype } from '../checkpoints/dtypes.js';
import type { TensorEntry } from '../checkpoints/header.js';

/** One tensor in both checkpoints. */
export interface TensorPair {
  name: string;
  shape: number[];
  dtype: ChangeDtype;
  /** Elements in the tensor. */
  count: number;
  before: TensorEntry;
  after: TensorEntry;
}

/** The dtypes whose changes are measured (16-bit floats are widened to float32). */
export type ChangeDtype = 'F32' | 'F16' | 'BF16';
const CHANGE_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];
const FLOATING: readonly CheckpointDtype[] = ['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2'];

/** A layer pattern as a RegExp; one that does not compile is a ConfigError. */
export function layerPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new ConfigError(`--layers ${quote(source)} is not a valid regular expression: ${(err as Error).message}`);
  }
}

/**
 * The selected tensors, sorted by name (UTF-8 byte order, as Python sorts names): the order of the mask's global
 * index. `pattern` is searched for in each name; without it, tensors of two or more dimensions are taken.
 */
export function pairTensors(before: Checkpoint, after: Checkpoint, pattern?: RegExp): TensorPair[] {
  const chosen = (e: TensorEntry) =>
    FLOATING.includes(e.dtype) && (pattern ? pattern.test(e.name) : e.shape.length >= 2);
  const names = [...before.tensors.values()].filter(chosen).map((e) => e.name);
  // A tensor only the second checkpoint has would silently drop out of the ticket.
  for (const e of after.tensors.values()) if (chosen(e)) checkpointTensor(before, e.name);
  if (names.length === 0) {
    if (pattern)
      throw new ConfigError(`--layers ${quote(pattern.source)} matches no floating-point tensor of ${before.source}`);
    throw new DataError(`${before.source} has no floating-point tensor of two or more dimensions`);
  }
  return names.sort(compareUtf8).map((name) => pairOf(before, after, name));
}

function pairOf(before: Checkpoint, after: Checkpoint, name: string): TensorPair {
  const a = checkpointTensor(before, name);
  const b = checkpointTensor(after, name);
  const shape = (e: TensorEntry) => `[${e.shape.join(', ')}]`;
  if (shape(a) !== shape(b))
    throw new DataError(
      `tensor ${quote(name)} has shape ${shape(a)} in ${before.source} but ${shape(b)} in ${after.source}`,
    );
  if (a.dtype !== b.dtype)
    throw new DataError(`tensor ${quote(name)} is ${a.dtype} in ${before.source} but ${b.dtype} in ${after.source}`);
  if (!CHANGE_DTYPES.includes(a.dtype))
    throw new DataError(
      `tensor ${quote(name)} has dtype ${a.dtype}: changes are measured in F32, F16 or BF16 (leave it out with --layers)`,
    );
  return { name, shape: [...a.shape], dtype: a.dtype as ChangeDtype, count: numel(a.shape), before: a, after: b };
}
