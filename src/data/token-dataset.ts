// Causal language-model samples over a token stream: sample i is a window of seqLen + 1 tokens; its first seqLen are
// the input (ids as floats, exact below 2^24) and its last seqLen the next-token targets.
import type { Dataset } from './types.js';
import { TokenWindows, type WindowOptions } from './token-windows.js';

/** The target that a loss skips (PyTorch's ignore index). */
export const IGNORE_INDEX = -100;

export interface CausalOptions extends WindowOptions {
  /**
   * With overlapping windows, target only the positions a window adds beyond its predecessor in the same segment
   * (the rest are IGNORE_INDEX), so each token is scored once: sliding-window evaluation.
   */
  scoreEachTokenOnce?: boolean;
}

export class TokenDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  readonly seqLen: number;
  readonly windows: TokenWindows;
  private readonly scoreOnce: boolean;

  constructor(
    readonly name: string,
    tokens: Int32Array | readonly Int32Array[],
    readonly vocabSize: number,
    opts: CausalOptions,
  ) {
    const segments = tokens instanceof Int32Array ? [tokens] : tokens;
    this.windows = new TokenWindows(name, segments, opts.seqLen + 1, opts, vocabSize);
    this.seqLen = opts.seqLen;
    this.size = this.windows.count;
    this.sampleShape = [opts.seqLen];
    this.scoreOnce = opts.scoreEachTokenOnce ?? false;
  }

  batch(indices: Int32Array): { x: Float32Array; y: Int32Array } {
    const L = this.seqLen;
    const x = new Float32Array(indices.length * L);
    const y = new Int32Array(indices.length * L);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      const w = this.windows.window(i);
      for (let t = 0; t < L; t++) {
        x[r * L + t] = w[t]!;
        y[r * L + t] = w[t + 1]!;
      }
      if (this.scoreOnce && this.windows.locate(i).start > 0) {
        const seen = Math.max(0, L - this.windows.stride);
        y.fill(IGNORE_INDEX, r * L, r * L + seen);
      }
    }
    return { x, y };
  }
}
