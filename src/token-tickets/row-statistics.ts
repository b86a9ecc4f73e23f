// Two-sample KS statistics between matching rows of one tensor in two checkpoints, streamed: a block of rows of
// each file is read and tested at a time, so memory stays a few megabytes whatever the tensor's size, and 16-bit
// floats are compared in their own bits (no widening).
import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { kernels } from '../engine/kernels.js';
import { checkpointTensor, type Checkpoint } from '../checkpoints/open.js';
import type { TensorEntry } from '../checkpoints/header.js';
import { openForRead, readFully } from '../checkpoints/file-io.js';

/** The dtypes the row kernel reads, by its code. */
const ROW_DTYPES: Record<string, { code: number; bytes: number }> = {
  F32: { code: 0, bytes: 4 },
  F16: { code: 1, bytes: 2 },
  BF16: { code: 2, bytes: 2 },
};

/** Bytes of one side read per block. */
const BLOCK_BYTES = 8 << 20;

export interface RowStatistics {
  tensor: string;
  rows: number;
  /** Values per row: both samples of every test have this many points. */
  dim: number;
  dtype: string;
  /** counts[r] = dim · D_r, the statistic of row r as a whole number. */
  counts: Int32Array;
}

/** The tensor `name` in both checkpoints, checked to be the same 2-D shape and a dtype the kernel reads. */
export function matchingEntries(before: Checkpoint, after: Checkpoint, name: string): [TensorEntry, TensorEntry] {
  const a = checkpointTensor(before, name);
  const b = checkpointTensor(after, name);
  const shape = (e: TensorEntry) => `[${e.shape.join(', ')}]`;
  if (a.shape.length !== 2) throw new DataError(`tensor ${quote(name)} has shape ${shape(a)}: a 2-D matrix is needed`);
  if (shape(a) !== shape(b))
    throw new DataError(
      `tensor ${quote(name)} has shape ${shape(a)} in ${before.source} but ${shape(b)} in ${after.source}`,
    );
  if (a.dtype !== b.dtype)
    throw new DataError(`tensor ${quote(name)} is ${a.dtype} in ${before.source} but ${b.dtype} in ${after.source}`);
  if (!ROW_DTYPES[a.dtype])
    throw new DataError(`tensor ${quote(name)} has dtype ${a.dtype}: rows can be tested in F32, F16 or BF16`);
  if (a.shape[1] === 0 || a.shape[0] === 0) throw new DataError(`tensor ${quote(name)} is empty`);
  return [a, b];
}

/** KS statistics of every row of `name` between `before` and `after`; `onRows` reports rows done. */
export function ksRowStatistics(
  before: Checkpoint,
  after: Checkpoint,
  name: string,
  onRows?: (done: number, total: number) => void,
): RowStatistics {
  const [a, b] = matchingEntries(before, after, name);
  const [rows, dim] = a.shape as [number, number];
  const { code, bytes } = ROW_DTYPES[a.dtype]!;
  const rowBytes = dim * bytes;
  const block = Math.max(1, Math.floor(BLOCK_BYTES / rowBytes));
  const counts = new Int32Array(rows);
  const bufA = new Uint8Array(Math.min(rows, block) * rowBytes);
  const bufB = new Uint8Array(bufA.length);
  const fa = openForRead(a.file);
  const fb = openForRead(b.file);
  try {
    for (const [e, f] of [
      [a, fa],
      [b, fb],
    ] as const) {
      if (e.offset + e.bytes > f.size)
        throw new DataError(`invalid safetensors file ${e.file}: file is truncated inside tensor ${quote(name)}`);
    }
    for (let start = 0; start < rows; start += block) {
      const n = Math.min(block, rows - start);
      const len = n * rowBytes;
      readFully(fa.fd, bufA.subarray(0, len), a.offset + start * rowBytes, a.file);
      readFully(fb.fd, bufB.subarray(0, len), b.offset + start * rowBytes, b.file);
      const bad = kernels().ksRowCounts(bufA, bufB, n, dim, code, counts.subarray(start, start + n));
      if (bad >= 0) {
        const row = start + Math.floor(bad / 2);
        const file = bad % 2 === 0 ? `${before.source} (before)` : `${after.source} (after)`;
        throw new DataError(`row ${row} of tensor ${quote(name)} in ${file} holds NaN or an infinity`);
      }
      onRows?.(start + n, rows);
    }
  } finally {
    fs.closeSync(fa.fd);
    fs.closeSync(fb.fd);
  }
  return { tensor: name, rows, dim, dtype: a.dtype, counts };
}
