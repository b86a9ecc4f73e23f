// Modular arithmetic, the grokking task (Grokking Tickets' reference data): every unordered pair a ≤ b of residues
// mod p with label (a + b) mod p, shuffled with a seeded stream and split by a training fraction. A sample is the
// two tokens [a, b] (token ids travel as float values).
import { Rng } from '../engine/rng.js';
import { ConfigError } from '../util/errors.js';
import { TensorDataset } from './tensor-dataset.js';

export interface ModularData {
  train: TensorDataset;
  test: TensorDataset;
}

/** Pairs of (a + b) mod p; the first floor(fraction × pairs) shuffled pairs train, the rest test. */
export function modularAddition(p: number, fraction: number, seed: number): ModularData {
  if (!Number.isInteger(p) || p < 2 || p > 10_000)
    throw new ConfigError(`modulus must be an integer in [2, 10000], got ${p}`);
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError(`training fraction must be in (0, 1), got ${fraction}`);
  const pairs: [number, number][] = [];
  for (let a = 0; a < p; a++) for (let b = a; b < p; b++) pairs.push([a, b]);
  const order = Int32Array.from(pairs, (_, i) => i);
  Rng.stream(seed, 'modular-split').shuffle(order);
  const cut = modularTrainSize(p, fraction);
  const make = (name: string, ids: Int32Array) => {
    const x = new Float32Array(ids.length * 2);
    const y = new Int32Array(ids.length);
    ids.forEach((k, i) => {
      const [a, b] = pairs[k]!;
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = (a + b) % p;
    });
    return new TensorDataset(name, x, y, [2]);
  };
  return { train: make(`mod${p}/train`, order.subarray(0, cut)), test: make(`mod${p}/test`, order.subarray(cut)) };
}

/** Training pairs of the split above: the full batch of a grokking run. */
export function modularTrainSize(p: number, fraction: number): number {
  return Math.floor(fraction * ((p * (p + 1)) / 2));
}
