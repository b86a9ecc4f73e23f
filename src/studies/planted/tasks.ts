// The three synthetic tasks of Plant 'n' Seek (Fischer & Burkholz, ICLR 2022), as in the paper's reference
// generator: 10,000 samples, the first 90% for training and the rest for testing, all drawn from one seeded stream.
//   relu   1 → 1 regression: y = max(0, x) + N(0, 0.01²), x ~ U[-1, 1]
//   circle 2 → 4 classes:    x ~ U[-1, 1]², class = ring of x1² + x2² with boundaries 0.2, 0.5, 0.7; 1% of the labels
//                            moved to the neighbouring ring across the nearest boundary (the reference flips to the
//                            second most likely class)
//   helix  1 → 3 regression: u = 5π + 3πx, y = (u cos u, u sin u, u) / (8π) + N(0, 0.01²) per output (the reference
//                            generator adds this noise; pass noise 0 for the clean curve)
import { Rng } from '../../engine/rng.js';
import { ConfigError } from '../../util/errors.js';

export const TASK_NAMES = ['relu', 'circle', 'helix'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export const CIRCLE_BOUNDARIES = [0.2, 0.5, 0.7] as const;

/** One split: inputs [n, inDim] row-major and targets: values [n, outDim] (regression) or class labels. */
export interface Split {
  n: number;
  x: Float32Array;
  y: Float32Array | Int32Array;
}

export interface Task {
  name: TaskName;
  kind: 'regression' | 'classification';
  inDim: number;
  /** Output width of a network solving it: regression outputs or class logits. */
  outDim: number;
  seed: number;
  train: Split;
  test: Split;
}

export interface TaskOptions {
  samples?: number;
  trainFraction?: number;
  /** Regression: std of the Gaussian output noise. Circle: probability of a label flip. */
  noise?: number;
}

export function checkTaskName(name: string): TaskName {
  if (!(TASK_NAMES as readonly string[]).includes(name))
    throw new ConfigError(`unknown task '${name}': choose one of ${TASK_NAMES.join(', ')}`);
  return name as TaskName;
}

/** The ring index of a squared radius: 0 inside 0.2, 3 outside 0.7. */
export function circleClass(r2: number): number {
  let k = 0;
  while (k < CIRCLE_BOUNDARIES.length && r2 >= CIRCLE_BOUNDARIES[k]!) k++;
  return k;
}

/** The neighbouring ring across the boundary nearest to r2 (the label a noisy annotator would pick). */
function neighbourClass(r2: number, k: number): number {
  if (k === 0) return 1;
  if (k === CIRCLE_BOUNDARIES.length) return k - 1;
  return r2 - CIRCLE_BOUNDARIES[k - 1]! < CIRCLE_BOUNDARIES[k]! - r2 ? k - 1 : k + 1;
}

export function helixPoint(x: number): [number, number, number] {
  const u = 5 * Math.PI + 3 * Math.PI * x;
  const s = 8 * Math.PI;
  return [(u * Math.cos(u)) / s, (u * Math.sin(u)) / s, u / s];
}

const SHAPES: Record<TaskName, { kind: Task['kind']; inDim: number; outDim: number; noise: number }> = {
  relu: { kind: 'regression', inDim: 1, outDim: 1, noise: 0.01 },
  circle: { kind: 'classification', inDim: 2, outDim: 4, noise: 0.01 },
  helix: { kind: 'regression', inDim: 1, outDim: 3, noise: 0.01 },
};

export function makeTask(name: TaskName, seed: number, opts: TaskOptions = {}): Task {
  const shape = SHAPES[name];
  const n = opts.samples ?? 10_000;
  const noise = opts.noise ?? shape.noise;
  const frac = opts.trainFraction ?? 0.9;
  if (!Number.isInteger(n) || n < 2) throw new ConfigError(`a task needs at least 2 samples, got ${n}`);
  if (!(frac > 0 && frac < 1)) throw new ConfigError(`train fraction must be in (0, 1), got ${frac}`);
  if (!(noise >= 0)) throw new ConfigError(`noise must be >= 0, got ${noise}`);
  const rng = Rng.stream(seed, `planted-task/${name}`);
  const x = new Float32Array(n * shape.inDim);
  const y = shape.kind === 'classification' ? new Int32Array(n) : new Float32Array(n * shape.outDim);
  for (let i = 0; i < n; i++) {
    // Targets are computed from the float32 inputs the network will see, so inputs and targets agree exactly.
    if (name === 'relu') {
      const v = Math.fround(2 * rng.uniform() - 1);
      x[i] = v;
      y[i] = Math.max(0, v) + noise * rng.normal();
    } else if (name === 'helix') {
      const v = Math.fround(2 * rng.uniform() - 1);
      x[i] = v;
      const p = helixPoint(v);
      for (let j = 0; j < 3; j++) y[3 * i + j] = p[j]! + noise * rng.normal();
    } else {
      const a = Math.fround(2 * rng.uniform() - 1);
      const b = Math.fround(2 * rng.uniform() - 1);
      x[2 * i] = a;
      x[2 * i + 1] = b;
      const r2 = a * a + b * b;
      const k = circleClass(r2);
      y[i] = rng.uniform() < noise ? neighbourClass(r2, k) : k;
    }
  }
  const nTrain = Math.ceil(frac * n);
  const per = shape.kind === 'classification' ? 1 : shape.outDim; // target values per sample
  const split = (lo: number, hi: number): Split => ({
    n: hi - lo,
    x: x.slice(lo * shape.inDim, hi * shape.inDim),
    y: y.slice(lo * per, hi * per),
  });
  return {
    name,
    kind: shape.kind,
    inDim: shape.inDim,
    outDim: shape.outDim,
    seed,
    train: split(0, nTrain),
    test: split(nTrain, n),
  };
}
