// An in-memory image classification dataset. Pixels stay uint8 (MNIST is 47 MB this way, 188 MB as float32) and
// are normalized only when a batch is gathered: x = (pixel/255 - mean) / std, laid out [n, C, H, W].
import { uninitializedF32 } from '../engine/buffers.js';
import { native } from '../engine/native.js';
import { Rng } from '../engine/rng.js';
import { ConfigError, DataError } from '../util/errors.js';
import type { Dataset } from './types.js';

/** Normalization constants: one scalar for all channels, or one value per channel. */
export type Norm = number | readonly number[];

export interface ImageDatasetInit {
  /** size × C × H × W bytes, each sample in CHW order. */
  images: Uint8Array;
  labels: Int32Array;
  shape: readonly [number, number, number];
  numClasses: number;
  mean: Norm;
  std: Norm;
  name?: string;
}

export interface Batch {
  x: Float32Array;
  y: Int32Array;
}

export class ImageDataset implements Dataset {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  readonly mean: Norm;
  readonly std: Norm;
  readonly size: number;
  readonly name: string;
  /** Elements per sample (C*H*W). */
  readonly sampleSize: number;
  // Per-channel affine maps pixel -> normalized value: x = pixel*scale[c] + shift[c].
  private readonly scale: number[];
  private readonly shift: number[];
  private readonly perChannel: boolean;
  private scratch: Float32Array | null = null;
  private chanIdx: Int32Array | null = null;

  constructor(init: ImageDatasetInit) {
    const [C, H, W] = init.shape;
    for (const d of init.shape)
      if (!Number.isInteger(d) || d < 1) throw new DataError(`bad image shape [${init.shape.join(', ')}]`);
    if (!Number.isInteger(init.numClasses) || init.numClasses < 1)
      throw new DataError(`bad number of classes ${init.numClasses}`);
    this.name = init.name ?? 'dataset';
    this.sampleSize = C * H * W;
    this.size = init.labels.length;
    if (init.images.length !== this.size * this.sampleSize) {
      throw new DataError(
        `${this.name}: ${this.size} labels need ${this.size * this.sampleSize} pixel bytes of shape [${C}, ${H}, ${W}], got ${init.images.length}`,
      );
    }
    for (let i = 0; i < this.size; i++) {
      const l = init.labels[i]!;
      if (l < 0 || l >= init.numClasses) {
        throw new DataError(`${this.name}: label ${l} of example ${i} is outside [0, ${init.numClasses})`);
      }
    }
    const mean = perChannel(init.mean, C, 'mean');
    const std = perChannel(init.std, C, 'std');
    for (const s of std) if (!(s > 0)) throw new DataError(`${this.name}: std must be positive, got ${s}`);
    this.scale = std.map((s) => 1 / (255 * s));
    this.shift = mean.map((m, c) => -m / std[c]!);
    this.perChannel = this.scale.some((s, c) => s !== this.scale[0] || this.shift[c] !== this.shift[0]);
    this.images = init.images;
    this.labels = init.labels;
    this.shape = [C, H, W];
    this.numClasses = init.numClasses;
    this.mean = copyNorm(init.mean);
    this.std = copyNorm(init.std);
  }

  get sampleShape(): readonly number[] {
    return this.shape;
  }

  /** Normalized value of a black (0) pixel per channel: what zero padding of the raw image becomes. */
  normalizedZero(): Float32Array {
    return Float32Array.from(this.shift);
  }

  /**
   * Gather samples `indices` as normalized [n, C, H, W] floats and their labels. `out` buffers are reused when
   * given. With `featureMajor` the floats are laid out [C*H*W, n] (sparse layers' layout, see engine/ops/layout.ts).
   */
  batch(indices: Int32Array, out?: Batch, featureMajor = false): Batch {
    const n = indices.length;
    const D = this.sampleSize;
    let x: Float32Array;
    let y: Int32Array;
    if (out) {
      if (out.x.length < n * D || out.y.length < n) {
        throw new RangeError(
          `batch buffers hold ${out.y.length} samples (${out.x.length} floats), need ${n} (${n * D})`,
        );
      }
      x = out.x.length === n * D ? out.x : out.x.subarray(0, n * D);
      y = out.y.length === n ? out.y : out.y.subarray(0, n);
    } else {
      x = uninitializedF32(n * D); // every element is written below
      y = new Int32Array(n);
    }
    for (let i = 0; i < n; i++) {
      const k = indices[i]!;
      if (k < 0 || k >= this.size) throw new RangeError(`${this.name}: index ${k} outside [0, ${this.size})`);
      y[i] = this.labels[k]!;
    }
    if (!this.perChannel) {
      native.gatherU8(this.images, indices, D, n, this.scale[0]!, this.shift[0]!, x, featureMajor);
    } else if (!featureMajor) {
      this.gatherPerChannel(indices, x);
    } else {
      const rows = new Float32Array(n * D);
      this.gatherPerChannel(indices, rows);
      native.transpose(rows, x, n, D);
    }
    return { x, y };
  }

  // Each channel plane is a row of length H*W in the images viewed as [size*C, H*W]: gather plane c of every
  // sample natively with that channel's affine map, then copy the planes into place.
  private gatherPerChannel(indices: Int32Array, x: Float32Array): void {
    const n = indices.length;
    const [C, H, W] = this.shape;
    const P = H * W;
    if (!this.scratch || this.scratch.length < n * P) this.scratch = new Float32Array(n * P);
    if (!this.chanIdx || this.chanIdx.length < n) this.chanIdx = new Int32Array(n);
    const scratch = this.scratch;
    const idx = this.chanIdx.subarray(0, n);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < n; i++) idx[i] = indices[i]! * C + c;
      native.gatherU8(this.images, idx, P, n, this.scale[c]!, this.shift[c]!, scratch, false);
      for (let i = 0; i < n; i++) x.set(scratch.subarray(i * P, (i + 1) * P), (i * C + c) * P);
    }
  }

  /** A new dataset holding copies of the samples `indices`, in that order. */
  subset(indices: Int32Array, name = this.name): ImageDataset {
    const D = this.sampleSize;
    const images = new Uint8Array(indices.length * D);
    const labels = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (k < 0 || k >= this.size) throw new RangeError(`${this.name}: index ${k} outside [0, ${this.size})`);
      images.set(this.images.subarray(k * D, (k + 1) * D), i * D);
      labels[i] = this.labels[k]!;
    }
    return new ImageDataset({
      images,
      labels,
      shape: this.shape,
      numClasses: this.numClasses,
      mean: this.mean,
      std: this.std,
      name,
    });
  }

  /**
   * Seeded random split: `holdout` examples go to validation, the rest to train. Both keep the original order,
   * and the same seed always picks the same examples.
   */
  split(holdout: number, seed: number): { train: ImageDataset; validation: ImageDataset } {
    if (!Number.isInteger(holdout) || holdout < 1 || holdout >= this.size) {
      throw new ConfigError(`validation holdout must be an integer in [1, ${this.size - 1}], got ${holdout}`);
    }
    const perm = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) perm[i] = i;
    Rng.stream(seed, 'validation-split').shuffle(perm);
    const val = perm.slice(0, holdout).sort();
    const train = perm.slice(holdout).sort();
    return { train: this.subset(train, `${this.name}/train`), validation: this.subset(val, `${this.name}/validation`) };
  }
}

function perChannel(v: Norm, C: number, what: string): number[] {
  if (typeof v === 'number') return new Array<number>(C).fill(v);
  if (v.length !== C) throw new DataError(`per-channel ${what} has ${v.length} values for ${C} channels`);
  return [...v];
}

const copyNorm = (v: Norm): Norm => (typeof v === 'number' ? v : Object.freeze([...v]));
