// Masked language-model samples (BERT): each ordinary token of a seqLen window is chosen with probability 15%; a
// chosen token becomes the mask token 80% of the time, a random ordinary token 10%, and stays itself 10%. Targets are
// the original tokens at chosen positions and IGNORE_INDEX elsewhere. The choice for a sample is drawn from its own
// stream (seed, epoch, sample index), so it does not depend on which batch the sample lands in, and a resumed run
// sees the same masks.
import { Rng } from '../engine/rng.js';
import type { Callback } from '../training/loop.js';
import { ConfigError } from '../util/errors.js';
import type { Dataset } from './types.js';
import { IGNORE_INDEX } from './token-dataset.js';
import { TokenWindows, type WindowOptions } from './token-windows.js';

export interface MlmOptions extends WindowOptions {
  seed: number;
  /** The id that hides a token. */
  maskId: number;
  /** Ids never chosen nor drawn as random replacements: the vocabulary's special tokens. */
  specialIds?: readonly number[];
  /** Defaults from BERT (Devlin et al. 2019, §3.1): 0.15, 0.8, 0.1. */
  chooseRate?: number;
  maskRate?: number;
  randomRate?: number;
}

export class MlmDataset implements Dataset {
  readonly size: number;
  readonly sampleShape: readonly number[];
  readonly seqLen: number;
  readonly windows: TokenWindows;
  /** Masks are redrawn per epoch when this follows training (see maskEpochCallback); 0 gives static masks. */
  epoch = 0;
  private readonly seed: number;
  private readonly maskId: number;
  private readonly special: Set<number>;
  /** Ids a random replacement is drawn from. */
  private readonly ordinary: Int32Array;
  private readonly rates: { choose: number; mask: number; random: number };

  constructor(
    readonly name: string,
    tokens: Int32Array | readonly Int32Array[],
    readonly vocabSize: number,
    opts: MlmOptions,
  ) {
    const segments = tokens instanceof Int32Array ? [tokens] : tokens;
    this.windows = new TokenWindows(name, segments, opts.seqLen, opts, vocabSize);
    this.seqLen = opts.seqLen;
    this.size = this.windows.count;
    this.sampleShape = [opts.seqLen];
    if (!Number.isInteger(opts.seed) || opts.seed < 0)
      throw new ConfigError(`seed must be a non-negative integer, got ${opts.seed}`);
    if (!(Number.isInteger(opts.maskId) && opts.maskId >= 0 && opts.maskId < vocabSize))
      throw new ConfigError(`mask token id ${opts.maskId} is outside the vocabulary [0, ${vocabSize})`);
    this.seed = opts.seed;
    this.maskId = opts.maskId;
    this.special = new Set([opts.maskId, ...(opts.specialIds ?? [])]);
    this.ordinary = Int32Array.from({ length: vocabSize }, (_, id) => id).filter((id) => !this.special.has(id));
    if (this.ordinary.length === 0) throw new ConfigError('a masked-LM vocabulary needs ordinary tokens');
    this.rates = { choose: opts.chooseRate ?? 0.15, mask: opts.maskRate ?? 0.8, random: opts.randomRate ?? 0.1 };
    const { choose, mask, random } = this.rates;
    if (!(choose > 0 && choose <= 1 && mask >= 0 && random >= 0 && mask + random <= 1))
      throw new ConfigError(
        `masking rates must satisfy 0 < choose ≤ 1 and mask + random ≤ 1, got ${choose}, ${mask}, ${random}`,
      );
  }

  batch(indices: Int32Array): { x: Float32Array; y: Int32Array } {
    const L = this.seqLen;
    const x = new Float32Array(indices.length * L);
    const y = new Int32Array(indices.length * L);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      this.maskSample(this.windows.window(i), i, x.subarray(r * L, (r + 1) * L), y.subarray(r * L, (r + 1) * L));
    }
    return { x, y };
  }

  private maskSample(tokens: Int32Array, index: number, x: Float32Array, y: Int32Array): void {
    const rng = Rng.stream(this.seed, `mlm-mask/${this.epoch}/${index}`);
    const { choose, mask, random } = this.rates;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      // Three draws per position whatever happens, so one position's outcome never shifts another's.
      const chosen = rng.uniform() < choose;
      const how = rng.uniform();
      const replacement = this.ordinary[Math.floor(rng.uniform() * this.ordinary.length)]!;
      x[t] = token;
      y[t] = IGNORE_INDEX;
      if (!chosen || this.special.has(token)) continue;
      y[t] = token;
      if (how < mask) x[t] = this.maskId;
      else if (how < mask + random) x[t] = replacement;
    }
  }
}

/**
 * A training-loop callback that sets the dataset's mask epoch from the step (the epoch the next batch belongs to),
 * giving fresh masks each epoch (dynamic masking, as in RoBERTa) that a resumed run reproduces.
 */
export function maskEpochCallback(data: MlmDataset, iterationsPerEpoch: number): Callback {
  const follow = (step: number) => {
    data.epoch = Math.floor(step / iterationsPerEpoch);
  };
  return { name: 'mlm-mask-epoch', start: follow, afterStep: (s) => follow(s.step) };
}
