// Fixed-length windows over token segments, numbered 0..count-1. A window never crosses from one segment into the
// next (segments are e.g. the contiguous pieces of one split), and tokens after a segment's last window go unused.
import { ConfigError, DataError } from '../util/errors.js';

export interface WindowOptions {
  /** Tokens a model sees per sample. */
  seqLen: number;
  /** Tokens from one window's start to the next; the default, `seqLen`, gives windows that do not overlap. */
  stride?: number;
}

export class TokenWindows {
  readonly count: number;
  readonly stride: number;
  /** Index of the first window of each segment, plus the total at the end. */
  private readonly firstWindow: number[];

  constructor(
    readonly name: string,
    readonly segments: readonly Int32Array[],
    /** Tokens per window: seqLen, plus one for the next-token target of a causal model. */
    readonly span: number,
    opts: WindowOptions,
    vocabSize: number,
  ) {
    const { seqLen, stride = seqLen } = opts;
    if (!Number.isInteger(seqLen) || seqLen < 1)
      throw new ConfigError(`sequence length must be a positive integer, got ${seqLen}`);
    if (!Number.isInteger(stride) || stride < 1)
      throw new ConfigError(`window stride must be a positive integer, got ${stride}`);
    this.stride = stride;
    this.firstWindow = [0];
    for (const seg of segments) {
      checkTokens(seg, vocabSize, name);
      const n = seg.length >= span ? Math.floor((seg.length - span) / stride) + 1 : 0;
      this.firstWindow.push(this.firstWindow.at(-1)! + n);
    }
    this.count = this.firstWindow.at(-1)!;
    if (this.count === 0) {
      const longest = Math.max(0, ...segments.map((s) => s.length));
      throw new DataError(
        `${name}: no window of ${span} tokens fits (the longest piece has ${longest}); use a shorter sequence length`,
      );
    }
  }

  /** Segment number and start offset of window `i`. */
  locate(i: number): { segment: number; start: number } {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count))
      throw new RangeError(`${this.name}: index ${i} outside [0, ${this.count})`);
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstWindow[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return { segment: lo, start: (i - this.firstWindow[lo]!) * this.stride };
  }

  /** The `span` tokens of window `i` (a view, not a copy). */
  window(i: number): Int32Array {
    const { segment, start } = this.locate(i);
    return this.segments[segment]!.subarray(start, start + this.span);
  }
}

/** Every token must be an id of the vocabulary: an embedding would read past its table otherwise. */
function checkTokens(tokens: Int32Array, vocabSize: number, name: string): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t < 0 || t >= vocabSize) throw new DataError(`${name}: token ${t} is outside the vocabulary [0, ${vocabSize})`);
  }
}
