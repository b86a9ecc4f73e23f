// Mini-batch index order. Each epoch's permutation comes from its own stream derived from (seed, 'data-order',
// epoch), so a sampler restored from (epoch, position) continues bit-identically without replaying earlier epochs.
import { Rng } from '../engine/rng.js';
import { ConfigError } from '../util/errors.js';

export interface SamplerOptions {
  shuffle?: boolean;
  /** Skip the last, smaller batch of each epoch. */
  dropLast?: boolean;
}

/** Everything needed to resume a sampler; plain JSON. */
export interface SamplerState {
  seed: number;
  size: number;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  epoch: number;
  /** Offset of the next batch within the epoch's permutation. */
  position: number;
}

export class BatchSampler {
  readonly size: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly iterationsPerEpoch: number;
  private _epoch = 0;
  private position = 0;
  private order: Int32Array | null = null;

  constructor(size: number, batchSize: number, seed: number, opts: SamplerOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new ConfigError(`cannot sample batches from ${size} examples`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > size) {
      throw new ConfigError(`batch size must be an integer in [1, ${size}] (the number of examples), got ${batchSize}`);
    }
    if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`seed must be a non-negative integer, got ${seed}`);
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    this.iterationsPerEpoch = this.dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  }

  /** Epochs completed so far, i.e. the epoch the next batch belongs to. */
  get epoch(): number {
    return this._epoch;
  }

  /** Batches already drawn from the current epoch. */
  get iteration(): number {
    return this.position / this.batchSize;
  }

  /** The order in which epoch `epoch` visits the examples. */
  permutation(epoch: number): Int32Array {
    const p = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) p[i] = i;
    if (this.shuffle) Rng.stream(this.seed, `data-order/${epoch}`).shuffle(p);
    return p;
  }

  /** The next batch of indices (a fresh array), moving on to the next epoch when this one is used up. */
  next(): Int32Array {
    this.order ??= this.permutation(this._epoch);
    const end = Math.min(this.position + this.batchSize, this.size);
    const batch = this.order.slice(this.position, end);
    this.position = end;
    const left = this.size - this.position;
    if (left === 0 || (this.dropLast && left < this.batchSize)) {
      this._epoch++;
      this.position = 0;
      this.order = null;
    }
    return batch;
  }

  /** The remaining batches of the current epoch. */
  *epochBatches(): Generator<Int32Array> {
    const epoch = this._epoch;
    while (this._epoch === epoch) yield this.next();
  }

  state(): SamplerState {
    return {
      seed: this.seed,
      size: this.size,
      batchSize: this.batchSize,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
      epoch: this._epoch,
      position: this.position,
    };
  }

  /** Continue from a saved state; the sampler must have been built with the same settings. */
  restore(state: SamplerState): void {
    for (const key of ['seed', 'size', 'batchSize', 'shuffle', 'dropLast'] as const) {
      if (state[key] !== this[key]) {
        throw new ConfigError(`cannot resume data order: saved ${key} is ${state[key]}, this run uses ${this[key]}`);
      }
    }
    const { epoch, position } = state;
    if (
      !Number.isInteger(epoch) ||
      epoch < 0 ||
      !Number.isInteger(position) ||
      position < 0 ||
      position % this.batchSize !== 0 ||
      position >= this.iterationsPerEpoch * this.batchSize
    ) {
      throw new ConfigError(`cannot resume data order: invalid position ${position} in epoch ${epoch}`);
    }
    this._epoch = epoch;
    this.position = position;
    this.order = null;
  }
}
