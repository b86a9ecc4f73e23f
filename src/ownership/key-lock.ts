// The V1 key and lock (Chen et al. 2021): from an extreme ticket remove whole paths through the network, each a
// chain of kernels (conv) or weights (linear) from the first layer to the last, and keep what was removed as the key.
// The locked ticket, retrained without the key, loses accuracy; with the key restored it recovers. As the reference
// does, each step of a path picks the next channel with probability ∝ the summed score of the kernel leading to it,
// and prunes that whole kernel. Scores: |θ| (the reference's default), uniform (random paths), |θ·g| (gradient) or
// |θ·Hθ| (Hessian), the last two on a batch of training data.
import type { Shape } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import { cloneMasks, countOnes, type Masks } from '../pruning/masks.js';
import { ConfigError } from '../util/errors.js';
import { mapGeometry, type MapGeometry } from './connectivity.js';

export const PATH_SCORES = ['magnitude', 'random', 'gradient', 'hessian'] as const;
export type PathScore = (typeof PATH_SCORES)[number];

export interface LockOptions {
  masks: Masks;
  /** Per prunable weight: its shape and a non-negative score per weight (|θ|, |θ·g|, …; all ones for random). */
  layers: ReadonlyMap<string, { shape: Shape; scores: Float32Array }>;
  /** Names of the weights in forward order (the model's prunable parameters). */
  order: readonly string[];
  paths: number;
  seed: number;
}

export interface Lock {
  /** The ticket without the key. */
  masks: Masks;
  /** 1 where a kept weight was removed. */
  key: Masks;
  /** The layers the paths run through, first to last. */
  chain: string[];
  /** Paths removed (a path stops early when it reaches a channel with nothing kept). */
  paths: number;
  removed: number;
}

/**
 * The layers a path runs through: the first prunable weight, then each next one whose input channels are the
 * previous one's outputs (a residual network's 1×1 shortcuts, which skip ahead, are left out).
 */
export function pathChain(order: readonly string[], shapes: ReadonlyMap<string, Shape>): [string, MapGeometry][] {
  const chain: [string, MapGeometry][] = [];
  for (const name of order) {
    const geo = mapGeometry(shapes.get(name)!);
    if (!geo) continue;
    const prev = chain[chain.length - 1];
    if (!prev || geo.cols === prev[1].rows) chain.push([name, geo]);
  }
  return chain;
}

export function removePaths(o: LockOptions): Lock {
  if (!(Number.isInteger(o.paths) && o.paths >= 1))
    throw new ConfigError(`--paths must be a positive integer, got ${o.paths}`);
  const shapes = new Map([...o.layers].map(([n, l]) => [n, l.shape]));
  const chain = pathChain(o.order, shapes);
  if (chain.length < 2) throw new ConfigError('the model has no chain of two or more layers for a path to run through');
  const masks = cloneMasks(o.masks);
  const key: Masks = new Map([...masks].map(([n, m]) => [n, new Float32Array(m.length)]));
  const rng = Rng.stream(o.seed, 'ownership-lock');
  let removed = 0;
  let paths = 0;
  for (let p = 0; p < o.paths; p++) {
    let channel = -1; // the input channel the path enters the next layer through; -1: any (the first layer)
    let steps = 0;
    for (const [name, geo] of chain) {
      const mask = masks.get(name)!;
      const scores = o.layers.get(name)!.scores;
      const cell = drawKernel(mask, scores, geo, channel, rng);
      if (cell < 0) break;
      for (let j = cell * geo.kernel; j < (cell + 1) * geo.kernel; j++)
        if (mask[j] !== 0) {
          mask[j] = 0;
          key.get(name)![j] = 1;
          removed++;
        }
      channel = Math.floor(cell / geo.cols);
      steps++;
    }
    if (steps === 0) break; // nothing left to remove in the first layer
    paths++;
  }
  for (const [name, m] of masks)
    if (countOnes(m) === 0)
      throw new ConfigError(`the paths would remove every kept weight of ${name}: ask for fewer --paths`);
  return { masks, key, chain: chain.map(([n]) => n), paths, removed };
}

/**
 * A kept kernel (cell index out·cols + in) drawn with probability ∝ its summed score, among those fed by `channel`
 * (any input channel when -1); -1 when none is kept. All-zero scores fall back to a uniform draw.
 */
function drawKernel(mask: Float32Array, scores: Float32Array, geo: MapGeometry, channel: number, rng: Rng): number {
  const cells: number[] = [];
  const weights: number[] = [];
  const ins = channel < 0 ? Array.from({ length: geo.cols }, (_, c) => c) : [channel];
  for (let out = 0; out < geo.rows; out++)
    for (const c of ins) {
      const cell = out * geo.cols + c;
      let kept = false;
      let s = 0;
      for (let j = cell * geo.kernel; j < (cell + 1) * geo.kernel; j++)
        if (mask[j] !== 0) {
          kept = true;
          s += scores[j]!;
        }
      if (kept) {
        cells.push(cell);
        weights.push(s);
      }
    }
  if (cells.length === 0) return -1;
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) return cells[rng.int(cells.length)]!;
  let u = rng.uniform() * sum;
  for (let i = 0; i < cells.length; i++) {
    u -= weights[i]!;
    if (u < 0) return cells[i]!;
  }
  return cells[cells.length - 1]!;
}

/** The ticket with its key restored: every weight of the key kept again. */
export function restoreKey(masks: Masks, key: Masks): Masks {
  const out = cloneMasks(masks);
  for (const [name, k] of key) {
    const m = out.get(name);
    if (!m || m.length !== k.length) throw new ConfigError(`the key's '${name}' does not fit this ticket`);
    for (let i = 0; i < k.length; i++) if (k[i] !== 0) m[i] = 1;
  }
  return out;
}
