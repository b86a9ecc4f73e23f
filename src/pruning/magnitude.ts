// Magnitude pruning: remove the surviving weights of smallest |w|, per layer (each at its own rate) or globally
// across layers. Ties at the threshold are broken by index, so the result is deterministic.
import { native } from '../engine/native.js';
import { ConfigError } from '../util/errors.js';
import { checkDensity, cloneMasks, countOnes, type Masks } from './masks.js';

export function checkRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate < 1)) throw new ConfigError(`${what} must be in [0, 1), got ${rate}`);
}

/**
 * Marks the `k` smallest-scoring surviving entries across `groups` as pruned (mask ← 0), in place.
 * Scores are compared as given (callers pass |w| or another saliency).
 */
export function pruneSmallest(groups: { scores: Float32Array; mask: Float32Array }[], k: number): void {
  if (k <= 0) return;
  let alive = 0;
  for (const g of groups) alive += countOnes(g.mask);
  if (k > alive) throw new Error(`cannot prune ${k} of ${alive} surviving weights`);
  const values = new Float32Array(alive);
  let j = 0;
  for (const g of groups)
    for (let i = 0; i < g.mask.length; i++)
      if (g.mask[i] !== 0) {
        const s = g.scores[i]!;
        if (Number.isNaN(s)) throw new Error('pruning scores contain NaN (did training diverge?)');
        values[j++] = s;
      }
  const threshold = native.kthSmallest(values, k); // O(n) selection (reorders the scratch copy)
  let below = 0;
  for (let i = 0; i < alive; i++) if (values[i]! < threshold) below++;
  let atThreshold = k - below; // how many entries equal to the threshold to prune, in index order
  for (const g of groups)
    for (let i = 0; i < g.mask.length; i++) {
      if (g.mask[i] === 0) continue;
      const s = g.scores[i]!;
      if (s < threshold) g.mask[i] = 0;
      else if (s === threshold && atThreshold > 0) {
        g.mask[i] = 0;
        atThreshold--;
      }
    }
}

function abs(w: Float32Array): Float32Array {
  const a = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) a[i] = Math.abs(w[i]!);
  return a;
}

/**
 * Layerwise magnitude pruning: each layer loses `rates[name]` of its surviving weights (rounded), as in the
 * Lottery Ticket Hypothesis paper. Layers without a rate are left alone.
 */
export function pruneLayerwise(
  weights: ReadonlyMap<string, Float32Array>,
  masks: Masks,
  rates: ReadonlyMap<string, number>,
): Masks {
  const out = cloneMasks(masks);
  for (const [name, rate] of rates) {
    checkRate(rate, `pruning rate of ${name}`);
    const w = weights.get(name);
    const m = out.get(name);
    if (!w || !m) throw new ConfigError(`no prunable weight named '${name}'`);
    pruneSmallest([{ scores: abs(w), mask: m }], Math.round(rate * countOnes(m)));
  }
  return out;
}

/** Global magnitude pruning: `fraction` of all surviving weights of the non-ignored layers, smallest |w| first. */
export function pruneGlobal(
  weights: ReadonlyMap<string, Float32Array>,
  masks: Masks,
  fraction: number,
  ignore: readonly string[] = [],
): Masks {
  checkRate(fraction, 'pruning fraction');
  for (const n of ignore)
    if (!masks.has(n)) throw new ConfigError(`cannot ignore '${n}': no prunable weight of that name`);
  const out = cloneMasks(masks);
  const groups = [...out]
    .filter(([n]) => !ignore.includes(n))
    .map(([n, m]) => ({ scores: abs(weights.get(n)!), mask: m }));
  let alive = 0;
  for (const g of groups) alive += countOnes(g.mask);
  pruneSmallest(groups, Math.round(fraction * alive));
  return out;
}

/** Prunes each listed layer down to `densities[name]` of its size (smallest |w| first; never un-prunes). */
export function pruneLayersToDensity(
  weights: ReadonlyMap<string, Float32Array>,
  masks: Masks,
  densities: ReadonlyMap<string, number>,
): Masks {
  const out = cloneMasks(masks);
  for (const [name, d] of densities) {
    checkDensity(d, `density of ${name}`);
    const m = out.get(name);
    const w = weights.get(name);
    if (!m || !w) throw new ConfigError(`no prunable weight named '${name}'`);
    pruneSmallest([{ scores: abs(w), mask: m }], Math.max(0, countOnes(m) - Math.round(d * m.length)));
  }
  return out;
}

/** Global magnitude pruning down to `density` of the non-ignored weights (smallest |w| first). */
export function pruneGlobalToDensity(
  weights: ReadonlyMap<string, Float32Array>,
  masks: Masks,
  density: number,
  ignore: readonly string[] = [],
): Masks {
  checkDensity(density);
  for (const n of ignore)
    if (!masks.has(n)) throw new ConfigError(`cannot ignore '${n}': no prunable weight of that name`);
  const out = cloneMasks(masks);
  const groups = [...out]
    .filter(([n]) => !ignore.includes(n))
    .map(([n, m]) => ({ scores: abs(weights.get(n)!), mask: m }));
  let alive = 0;
  let size = 0;
  for (const g of groups) {
    alive += countOnes(g.mask);
    size += g.mask.length;
  }
  pruneSmallest(groups, Math.max(0, alive - Math.round(density * size)));
  return out;
}
