// What a tensor holds at a glance: range, mean, spread and its first values (for `ticketlab checkpoint --tensor`).
import type { TensorArray } from './dtypes.js';

export interface TensorSummary {
  /** Over the finite values; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (numpy's default), over the finite values. */
  std: number | null;
  /** NaN and infinite values. */
  nonFinite: number;
  first: number[];
}

/** Summarizes `data` in float64, two passes (a one-pass variance loses digits on large tensors). */
export function summarizeTensor(data: TensorArray, firstCount = 8): TensorSummary {
  const at = (i: number) => Number(data[i]); // BigInt64 tensors (token ids) become numbers
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const v = at(i);
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const first = Array.from({ length: Math.min(firstCount, data.length) }, (_, i) => at(i));
  if (count === 0) return { min: null, max: null, mean: null, std: null, nonFinite: data.length, first };
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < data.length; i++) {
    const v = at(i);
    if (Number.isFinite(v)) squares += (v - mean) ** 2;
  }
  return { min, max, mean, std: Math.sqrt(squares / count), nonFinite: data.length - count, first };
}
