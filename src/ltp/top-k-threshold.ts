// Exact top-k of a stream of non-negative float32 bit patterns (keys), largest first, ties to the lower index: the
// selection np.argsort(-d, kind='stable')[:k] makes, in two counting passes and without holding the stream. Pass 1
// counts the keys' high 16 bits, which finds the bucket holding the k-th largest; pass 2 counts the low 16 bits of the
// keys in that bucket, which finds the k-th largest key t itself. The mask then keeps every key above t and, in
// index order, the first keys equal to t until k are kept.
import { DataError } from '../util/errors.js';

/** Runs `visit` over every key of the stream, in index order; called once per counting pass. */
export type KeyScan = (visit: (keys: Uint32Array) => void) => void;

/** What is kept: every key above `t`, then the first `ties` keys equal to `t`, in index order. */
export interface Threshold {
  t: number;
  ties: number;
}

const BUCKETS = 1 << 16;

/** The threshold keeping exactly `k` keys of the stream (k no more than its length). */
export function topKThreshold(k: number, scan: KeyScan): Threshold {
  if (k === 0) return { t: 0xffffffff, ties: 0 }; // no key is above: keys are at most 0x7f800000
  const high = new Float64Array(BUCKETS); // counts past 2^32 stay exact
  scan((keys) => {
    for (let i = 0; i < keys.length; i++) high[keys[i]! >>> 16]!++;
  });
  const h = kthBucket(high, k);
  // The whole bucket is kept: the second pass would only confirm it.
  if (h.above + high[h.bucket]! === k) return { t: h.bucket * BUCKETS - 1, ties: 0 };
  const low = new Float64Array(BUCKETS);
  scan((keys) => {
    for (let i = 0; i < keys.length; i++) if (keys[i]! >>> 16 === h.bucket) low[keys[i]! & 0xffff]!++;
  });
  const l = kthBucket(low, k - h.above);
  return { t: h.bucket * BUCKETS + l.bucket, ties: k - h.above - l.above };
}

/** The bucket holding the k-th largest count, and how many are in the buckets above it. */
function kthBucket(counts: Float64Array, k: number): { bucket: number; above: number } {
  let above = 0;
  for (let b = counts.length - 1; b >= 0; b--) {
    if (above + counts[b]! >= k) return { bucket: b, above };
    above += counts[b]!;
  }
  // Only if the stream changed between passes: the first counted at least k.
  throw new DataError(`the values changed between passes (was a checkpoint rewritten while it was read?)`);
}

/** Pass 3: writes the 0/1 mask of a stream's blocks, in index order, spending the ties as it goes. */
export class MaskCutter {
  private ties: number;
  private readonly t: number;

  constructor(threshold: Threshold) {
    this.t = threshold.t;
    this.ties = threshold.ties;
  }

  /** Fills out[i] for each key of the block; returns how many were kept. */
  cut(keys: Uint32Array, out: Uint8Array): number {
    const t = this.t;
    let kept = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let keep = 0;
      if (key > t) keep = 1;
      else if (key === t && this.ties > 0) {
        keep = 1;
        this.ties--;
      }
      out[i] = keep;
      kept += keep;
    }
    return kept;
  }
}
