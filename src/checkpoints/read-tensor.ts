// Reading one tensor of a safetensors file: a positioned read of exactly its bytes, so memory follows the tensor,
// not the file. 16-bit floats are widened to float32 through a small scratch buffer, piece by piece.
import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { bfloat16ToFloat, halfToFloat } from '../store/half-float.js';
import { dtypeInfo, type CheckpointDtype, type TensorArray } from './dtypes.js';
import type { TensorEntry } from './header.js';
import { openForRead, readFully } from './file-io.js';

export interface TensorValues {
  name: string;
  /** The dtype in the file; F16 and BF16 arrive as Float32Array. */
  dtype: CheckpointDtype;
  shape: number[];
  data: TensorArray;
}

/** Elements widened per read: 8 MiB of 16-bit floats at a time. */
const WIDEN_CHUNK = 4 << 20;

/** Reads the tensor `entry` describes; a dtype ticketlab cannot read or a shortened file is a DataError. */
export function readTensor(entry: TensorEntry): TensorValues {
  const info = dtypeInfo(entry.dtype);
  const tensor = `tensor ${quote(entry.name)}`;
  const where = `${tensor} in ${entry.file}`;
  if (!info.ctor && !info.widen) throw new DataError(`${where} has dtype ${entry.dtype}, which ticketlab cannot read`);
  const { fd, size } = openForRead(entry.file);
  try {
    if (entry.offset + entry.bytes > size) {
      throw new DataError(
        `invalid safetensors file ${entry.file}: file is truncated: ${tensor} needs bytes up to ${entry.offset + entry.bytes}, the file has ${size}`,
      );
    }
    const count = entry.bytes / info.itemSize;
    let data: TensorArray;
    try {
      data = info.widen ? new Float32Array(count) : new info.ctor!(new ArrayBuffer(entry.bytes));
    } catch (err) {
      if (err instanceof RangeError)
        throw new DataError(`${where} (${entry.bytes} bytes) is too large to read at once`);
      throw err;
    }
    if (info.widen) readWidened(fd, entry, data as Float32Array, info.widen);
    else readFully(fd, new Uint8Array(data.buffer, 0, entry.bytes), entry.offset, entry.file);
    return { name: entry.name, dtype: entry.dtype, shape: [...entry.shape], data };
  } finally {
    fs.closeSync(fd);
  }
}

function readWidened(fd: number, entry: TensorEntry, out: Float32Array, kind: 'f16' | 'bf16'): void {
  const widen = kind === 'f16' ? halfToFloat : bfloat16ToFloat;
  const scratch = new Uint16Array(Math.min(out.length, WIDEN_CHUNK));
  for (let start = 0; start < out.length; start += scratch.length) {
    const part = scratch.subarray(0, Math.min(scratch.length, out.length - start));
    readFully(fd, new Uint8Array(part.buffer, 0, part.byteLength), entry.offset + 2 * start, entry.file);
    widen(part, out.subarray(start, start + part.length));
  }
}
