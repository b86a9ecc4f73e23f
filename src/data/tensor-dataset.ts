// A dataset held as plain arrays: inputs [n, ...sampleShape] and targets (class labels, or `targetSize` values per
// sample). The synthetic tasks of the planted study use it.
import { DataError } from '../util/errors.js';
import type { Dataset, Targets } from './types.js';

export class TensorDataset implements Dataset {
  readonly size: number;
  readonly sampleSize: number;
  /** Values per sample in `y`: 1 for class labels. */
  readonly targetSize: number;

  constructor(
    readonly name: string,
    readonly x: Float32Array,
    readonly y: Targets,
    readonly sampleShape: readonly number[],
  ) {
    this.sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    if (!(this.sampleSize > 0) || x.length % this.sampleSize !== 0)
      throw new DataError(`${name}: ${x.length} inputs are not whole samples of shape [${sampleShape.join(', ')}]`);
    this.size = x.length / this.sampleSize;
    if (this.size === 0 || y.length % this.size !== 0)
      throw new DataError(`${name}: ${y.length} targets for ${this.size} samples`);
    this.targetSize = y.length / this.size;
    if (y instanceof Int32Array && this.targetSize !== 1)
      throw new DataError(`${name}: class labels need one per sample`);
  }

  batch(indices: Int32Array): { x: Float32Array; y: Targets } {
    const n = indices.length;
    const D = this.sampleSize;
    const T = this.targetSize;
    const x = new Float32Array(n * D);
    const y = this.y instanceof Int32Array ? new Int32Array(n) : new Float32Array(n * T);
    for (let r = 0; r < n; r++) {
      const i = indices[r]!;
      if (!(i >= 0 && i < this.size)) throw new RangeError(`${this.name}: index ${i} outside [0, ${this.size})`);
      x.set(this.x.subarray(i * D, (i + 1) * D), r * D);
      y.set(this.y.subarray(i * T, (i + 1) * T), r * T);
    }
    return { x, y };
  }
}
