// Progressive pruning during supernet training (SuperTickets): every `interval` epochs the pruned fraction rises by
// `step` (0.1 in the reference) until the target, by global magnitude over the prunable weights, without rewinding.
// Reactivation, as the reference's modes:
//   none      masks are permanent: a pruned weight is zero and stays out (scores of pruned weights are 0);
//   implicit  scores use the raw weights: a pruned weight keeps the value it had when pruned, and when its score
//             ranks it back in, it returns with that value (the reference's default behaviour);
//   fresh     as implicit, and a block rebuilt by channel surgery starts with a full mask;
//   reset     the mask is applied once (small weights zeroed) and then reset to ones, so every weight trains on and
//             the next step chooses again from scratch; the step that reaches the target keeps its mask (run.ts).
import { ConfigError } from '../util/errors.js';
import type { Masks } from '../pruning/masks.js';

export const REACTIVATION_MODES = ['none', 'implicit', 'fresh', 'reset'] as const;
export type Reactivation = (typeof REACTIVATION_MODES)[number];

/** How much the pruned fraction rises at every step (the reference's 0.1). */
export const PRUNE_STEP = 0.1;

/** The pruned fraction after `epoch` (0-based): step × ⌊(epoch+1)/interval⌋, capped at the target. */
export function prunedFraction(epoch: number, interval: number, target: number, step = PRUNE_STEP): number {
  if (!(target >= 0 && target < 1)) throw new ConfigError(`--target-ratio must lie in [0, 1), got ${target}`);
  if (!(Number.isInteger(interval) && interval >= 1))
    throw new ConfigError(`the pruning interval must be a positive number of epochs, got ${interval}`);
  return Math.min(target, step * Math.floor((epoch + 1) / interval));
}

/**
 * The weights that hold the pruned ones' last values, so a weight ranked back in returns with it. `remember` is
 * called with the weights just before a mask zeroes some of them.
 */
export class RawWeights {
  private readonly saved = new Map<string, Float32Array>();

  remember(weights: ReadonlyMap<string, Float32Array>, masks: Masks): void {
    for (const [n, m] of masks) {
      const w = weights.get(n)!;
      const s = this.saved.get(n) ?? new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) if (m[i] === 0 && w[i] !== 0) s[i] = w[i]!;
      this.saved.set(n, s);
    }
  }

  /** Current weights where kept, remembered values where pruned. */
  raw(weights: ReadonlyMap<string, Float32Array>, masks: Masks): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [n, m] of masks) {
      const w = weights.get(n)!;
      const s = this.saved.get(n);
      out.set(
        n,
        w.map((v, i) => (m[i] === 0 && s ? s[i]! : v)),
      );
    }
    return out;
  }

  /** The remembered values by tensor name (for a checkpoint). */
  entries(): Map<string, Float32Array> {
    return new Map(this.saved);
  }

  /** Takes back the values `entries` gave (resuming from a checkpoint). */
  restore(saved: ReadonlyMap<string, Float32Array>): void {
    this.saved.clear();
    for (const [n, v] of saved) this.saved.set(n, v.slice());
  }

  /**
   * Carries the remembered values through channel surgery: `carry` gives each tensor as the new network holds it
   * (sliced like its weight), or null when its branch is gone.
   */
  reshape(carry: (name: string, values: Float32Array) => Float32Array | null): void {
    for (const [n, v] of [...this.saved]) {
      const next = carry(n, v);
      if (next) this.saved.set(n, next);
      else this.saved.delete(n);
    }
  }
}

/**
 * The mask keeping the (1 − fraction) largest |scores| over all given tensors (ties by position, so the count is
 * exact), and, for mode `reset`, what training continues with: all ones.
 */
export function globalMagnitudeMask(scores: ReadonlyMap<string, Float32Array>, fraction: number): Masks {
  let total = 0;
  for (const s of scores.values()) total += s.length;
  const prune = Math.round(fraction * total);
  const all = new Float32Array(total);
  let o = 0;
  for (const s of scores.values()) for (const v of s) all[o++] = Math.abs(v);
  const order = Int32Array.from({ length: total }, (_, i) => i).sort((a, b) => all[a]! - all[b]! || a - b);
  const keep = new Uint8Array(total).fill(1);
  for (let i = 0; i < prune; i++) keep[order[i]!] = 0;
  const out: Masks = new Map();
  o = 0;
  for (const [n, s] of scores) {
    out.set(n, Float32Array.from(keep.subarray(o, o + s.length)));
    o += s.length;
  }
  return out;
}

/**
 * One pruning step: the new mask from the current weights and mask under `mode`. Returns the mask applied now, the
 * weights to load (kept ones at their current or, for a weight ranked back in, remembered value; pruned ones zero),
 * and the mask training continues under (the same, except for `reset`: all ones).
 */
export function pruningStep(
  weights: ReadonlyMap<string, Float32Array>,
  masks: Masks,
  fraction: number,
  mode: Reactivation,
  raw: RawWeights,
): { apply: Masks; values: Map<string, Float32Array>; train: Masks } {
  const scores = mode === 'none' ? weights : raw.raw(weights, masks);
  let next = globalMagnitudeMask(scores, fraction);
  if (mode === 'none') {
    // A pruned weight never returns: intersect with the current mask (its score is 0, so it ranks last anyway;
    // the intersection also holds when many weights are exactly 0).
    next = new Map([...next].map(([n, m]) => [n, m.map((v, i) => v * masks.get(n)![i]!)]));
  } else raw.remember(scores, next);
  const train = mode === 'reset' ? new Map([...next].map(([n, m]) => [n, new Float32Array(m.length).fill(1)])) : next;
  const values = new Map([...next].map(([n, m]) => [n, scores.get(n)!.map((v, i) => v * m[i]!)]));
  return { apply: next, values, train };
}
