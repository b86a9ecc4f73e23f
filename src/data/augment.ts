// Training-time augmentation of image batches: the lottery-ticket papers' random crop and horizontal flip.
import type { Rng } from '../engine/rng.js';
import { ConfigError } from '../util/errors.js';
import { CIFAR10_ZERO } from './cifar10.js';

export interface AugmentOptions {
  /** Zero padding before the random crop (default 4). 0 disables cropping. */
  pad?: number;
  /** Random horizontal flip with probability 1/2 (default true). */
  flip?: boolean;
  /** Per-channel value of padded pixels: a raw 0 after normalization (default CIFAR-10's). */
  fill?: ArrayLike<number>;
}

/**
 * Standard lottery-ticket CIFAR augmentation, in place on a normalized [n, C, H, W] batch: pad by `pad` with raw
 * zeros, take a random H×W crop, then flip horizontally with probability 1/2 (torchvision's RandomCrop(padding)
 * followed by RandomHorizontalFlip). Padding is applied to the raw image before normalization, so padded pixels
 * hold fill[c] = (0 - mean[c]) / std[c]. Per sample it draws crop row, crop column, then flip from `rng`.
 */
export function augmentBatch(
  x: Float32Array,
  n: number,
  C: number,
  H: number,
  W: number,
  rng: Rng,
  opts: AugmentOptions = {},
): void {
  const pad = opts.pad ?? 4;
  const flip = opts.flip ?? true;
  const fill = opts.fill ?? CIFAR10_ZERO;
  if (!Number.isInteger(pad) || pad < 0)
    throw new ConfigError(`crop padding must be a non-negative integer, got ${pad}`);
  if (fill.length !== C) throw new ConfigError(`augmentation fill has ${fill.length} values for ${C} channels`);
  const D = C * H * W;
  if (x.length < n * D) throw new RangeError(`batch has ${x.length} floats, needs ${n * D}`);
  const src = new Float32Array(D);
  for (let i = 0; i < n; i++) {
    // Crop offsets within the padded image, so the source pixel of output (y, x) is (y + dy, x + dx).
    const dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const mirror = flip && rng.int(2) === 1;
    if (dy === 0 && dx === 0 && !mirror) continue;
    const sample = x.subarray(i * D, (i + 1) * D);
    src.set(sample);
    for (let c = 0; c < C; c++) {
      const f = fill[c]!;
      const plane = c * H * W;
      for (let y = 0; y < H; y++) {
        const row = plane + y * W;
        const sy = y + dy;
        if (sy < 0 || sy >= H) {
          sample.fill(f, row, row + W);
          continue;
        }
        const srow = plane + sy * W;
        if (!mirror) {
          // Output columns whose source column x + dx lies inside the image.
          const lo = Math.min(W, Math.max(0, -dx));
          const hi = Math.max(lo, Math.min(W, W - dx));
          sample.fill(f, row, row + lo);
          sample.set(src.subarray(srow + lo + dx, srow + hi + dx), row + lo);
          sample.fill(f, row + hi, row + W);
        } else {
          // Flipping after the crop: output column x reads cropped column W-1-x, i.e. source column W-1-x+dx.
          for (let xo = 0; xo < W; xo++) {
            const sx = W - 1 - xo + dx;
            sample[row + xo] = sx >= 0 && sx < W ? src[srow + sx]! : f;
          }
        }
      }
    }
  }
}
