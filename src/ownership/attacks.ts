// Attacks on a ticket's mask: what a thief might do to a stolen ticket before passing it off as theirs. Each returns
// new masks (and weights, when connections are added) and leaves its inputs alone; fine-tuning and forging live with
// the command, since they train or sign.
import { Rng } from '../engine/rng.js';
import { pruneGlobal, pruneLayerwise } from '../pruning/magnitude.js';
import { cloneMasks, countOnes, type Masks } from '../pruning/masks.js';
import type { Weights } from '../store/weights.js';
import { ConfigError } from '../util/errors.js';

export const ATTACK_KINDS = ['prune', 'random-prune', 'add', 'finetune', 'finetune-dense', 'forge'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

/** The amount each kind takes, checked: a fraction of the kept weights (or of the training length for finetune). */
export function checkAmount(kind: AttackKind, amount: number): void {
  if (kind === 'forge') return;
  const ok = kind.startsWith('finetune') ? amount > 0 && amount <= 10 : amount > 0 && amount < 1;
  if (!(ok && Number.isFinite(amount)))
    throw new ConfigError(
      kind.startsWith('finetune')
        ? `--amount for ${kind} is the fine-tuning length as a fraction of the run's training, in (0, 10]; got ${amount}`
        : `--amount for ${kind} is a fraction of the kept weights in (0, 1), got ${amount}`,
    );
}

/** Further magnitude pruning: `amount` of every layer's kept weights (layerwise) or of all of them (global). */
export function magnitudePrune(
  masks: Masks,
  weights: Weights,
  amount: number,
  strategy: 'layerwise' | 'global',
  ignore: readonly string[] = [],
): Masks {
  if (strategy === 'global') return pruneGlobal(weights, masks, amount, ignore);
  return pruneLayerwise(weights, masks, new Map([...masks.keys()].map((n) => [n, amount])));
}

/** Random pruning: `amount` of every layer's kept weights, chosen uniformly. */
export function randomPrune(masks: Masks, amount: number, seed: number): Masks {
  const out = cloneMasks(masks);
  for (const [name, m] of out) {
    const kept = keptIndices(m);
    const rng = Rng.stream(seed, `attack-random-prune/${name}`);
    rng.shuffle(kept);
    for (let j = 0; j < Math.round(amount * kept.length); j++) m[kept[j]!] = 0;
  }
  return out;
}

/**
 * Random added connections: `amount` × (kept weights) pruned positions of every layer switched on, each given a
 * weight drawn from a normal with the standard deviation of the layer's kept weights (so they pass for trained ones).
 */
export function addConnections(
  masks: Masks,
  weights: Weights,
  amount: number,
  seed: number,
): { masks: Masks; weights: Weights } {
  const out = cloneMasks(masks);
  const w: Weights = new Map([...weights].map(([n, v]) => [n, v.slice()]));
  for (const [name, m] of out) {
    const v = w.get(name)!;
    const kept = countOnes(m);
    const free: number[] = [];
    let sq = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) free.push(i);
      else sq += v[i]! * v[i]!;
    }
    const std = kept > 0 ? Math.sqrt(sq / kept) : 0;
    const n = Math.min(free.length, Math.round(amount * kept));
    const rng = Rng.stream(seed, `attack-add/${name}`);
    rng.shuffle(free);
    for (let j = 0; j < n; j++) {
      m[free[j]!] = 1;
      v[free[j]!] = std * rng.normal();
    }
  }
  return { masks: out, weights: w };
}

function keptIndices(m: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) out.push(i);
  return out;
}
