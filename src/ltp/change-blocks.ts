// |θ_after − θ_before| of one tensor, streamed block by block from the two files, as the bit patterns of the float32
// values: for non-negative floats (infinity included) those order exactly as the values do, so a radix select can
// count them. Memory is a few fixed blocks, whatever the tensor's size.
import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { bfloat16ToFloat, halfToFloat } from '../store/half-float.js';
import { openForRead, readFully } from '../checkpoints/file-io.js';
import type { TensorEntry } from '../checkpoints/header.js';
import type { TensorPair } from './tensor-pairs.js';

/** Elements per block (the most `scan` hands over at once): 4 MiB of float32 per buffer. */
export const CHANGE_BLOCK = 1 << 20;
const BLOCK = CHANGE_BLOCK;
const EXPONENT = 0x7f800000;

/** Reads |Δ| blocks; its buffers are reused from tensor to tensor. */
export class ChangeReader {
  private readonly rawA = new ArrayBuffer(4 * BLOCK);
  private readonly rawB = new ArrayBuffer(4 * BLOCK);
  private readonly wideA = new Float32Array(BLOCK);
  private readonly wideB = new Float32Array(BLOCK);
  private readonly change = new Float32Array(BLOCK);
  private readonly keys = new Uint32Array(this.change.buffer);

  constructor(
    private readonly beforeSource: string,
    private readonly afterSource: string,
  ) {}

  /**
   * Calls `visit` with the |Δ| bit patterns of each block of `pair`, in element order (`start` is the block's first
   * element); the array is only valid during the call. NaN or an infinity in either tensor is a DataError.
   */
  scan(pair: TensorPair, visit: (keys: Uint32Array, start: number) => void): void {
    const fa = openForRead(pair.before.file);
    try {
      const fb = openForRead(pair.after.file);
      try {
        for (let start = 0; start < pair.count; start += BLOCK) {
          const n = Math.min(BLOCK, pair.count - start);
          const a = this.load(fa.fd, pair.before, start, n, this.rawA, this.wideA);
          const b = this.load(fb.fd, pair.after, start, n, this.rawB, this.wideB);
          this.subtract(pair, a, b, start, n);
          visit(this.keys.subarray(0, n), start);
        }
      } finally {
        fs.closeSync(fb.fd);
      }
    } finally {
      fs.closeSync(fa.fd);
    }
  }

  /** Elements [start, start + n) of `entry` as float32 values. */
  private load(fd: number, entry: TensorEntry, start: number, n: number, raw: ArrayBuffer, wide: Float32Array) {
    if (entry.dtype === 'F32') {
      readFully(fd, new Uint8Array(raw, 0, 4 * n), entry.offset + 4 * start, entry.file);
      return new Float32Array(raw, 0, n);
    }
    const bits = new Uint16Array(raw, 0, n);
    readFully(fd, new Uint8Array(raw, 0, 2 * n), entry.offset + 2 * start, entry.file);
    return (entry.dtype === 'BF16' ? bfloat16ToFloat : halfToFloat)(bits, wide.subarray(0, n));
  }

  private subtract(pair: TensorPair, a: Float32Array, b: Float32Array, start: number, n: number): void {
    const change = this.change;
    const keys = this.keys;
    for (let i = 0; i < n; i++) {
      // A double difference of two float32s, stored as float32, is the float32 difference (one correct rounding).
      change[i] = b[i]! - a[i]!;
      const key = keys[i]! & 0x7fffffff;
      keys[i] = key;
      // Finite values can still differ by more than float32 holds: then only an input that is not finite is refused.
      if (key >= EXPONENT) this.checkFinite(pair, a[i]!, b[i]!, start + i);
    }
  }

  private checkFinite(pair: TensorPair, a: number, b: number, element: number): void {
    for (const [value, source, side] of [
      [a, this.beforeSource, 'before'],
      [b, this.afterSource, 'after'],
    ] as const) {
      if (!Number.isFinite(value))
        throw new DataError(
          `element ${element} ${position(pair.shape, element)} of tensor ${quote(pair.name)} in ${source} (${side}) is ${value}`,
        );
    }
  }
}

/** The element's index in each dimension, as [i, j, …]. */
function position(shape: readonly number[], element: number): string {
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(element % shape[d]!);
    element = Math.floor(element / shape[d]!);
  }
  return `[${at.join(', ')}]`;
}
