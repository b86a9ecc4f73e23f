// Pruning at initialization: score the weights, remove the lowest, and — for iterative pruners such as SynFlow —
// repeat over rounds with an exponential density schedule, re-scoring the surviving network each time
// (SynFlow, Tanaka et al. 2020). Pruned weights never come back: only survivors are ranked.
import { ConfigError } from '../util/errors.js';
import { checkDensity, countOnes, type Masks } from './masks.js';
import { pruneSmallest } from './magnitude.js';
import { resolvePruner, type PrunerName } from './scorers/index.js';
import { applyAndScore, startMasks } from './scorers/score.js';
import type { Pruner, PruneContext } from './scorers/types.js';

export type { Pruner, PruneContext } from './scorers/types.js';
export type { PrunerName } from './scorers/index.js';

export type Scope = 'global' | 'local';

export interface PruneOptions {
  /** 'global' ranks all weights together (default); 'local' keeps the density in every layer. */
  scope?: Scope;
  /** Scoring rounds (default: the pruner's — 100 for SynFlow, 1 for the others). */
  rounds?: number;
  /**
   * A density per layer in place of one for all (layers not listed keep theirs): each layer is ranked alone, as
   * with scope 'local'. Controls use it to match another mask's layer densities.
   */
  densities?: ReadonlyMap<string, number>;
  /** Called after every round with the density reached. */
  onRound?: (round: number, density: number) => void;
}

/**
 * Weights to keep after round k of n, for a group of `size` weights of which `alive` survive at the start:
 * size · d₀ · (ρ/d₀)^(k/n) with d₀ = alive/size — ρ^(k/n) from a dense start — and exactly round(ρ · size) at k = n.
 */
export function keepAfterRound(size: number, alive: number, density: number, k: number, n: number): number {
  const target = Math.round(density * size);
  if (k === n || alive === 0) return target;
  const d0 = alive / size;
  return Math.min(alive, Math.max(target, Math.round(size * d0 * (density / d0) ** (k / n))));
}

/**
 * Masks keeping round(density × total) prunable weights (globally, or in every layer for scope 'local'), chosen
 * by the pruner's scores (highest kept) starting from ctx.masks. The model is left exactly as it was (weights,
 * attached masks, train/eval mode); attach the result with applyMasks.
 */
export function pruneAtInit(
  pruner: PrunerName | Pruner,
  ctx: PruneContext,
  density: number,
  opts: PruneOptions = {},
): Masks {
  checkDensity(density);
  const p = resolvePruner(pruner);
  const scope = opts.scope ?? 'global';
  if (scope !== 'global' && scope !== 'local')
    throw new ConfigError(`scope must be 'global' or 'local', got '${String(scope)}'`);
  const rounds = opts.rounds ?? p.defaultRounds;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new ConfigError(`rounds must be a positive integer, got ${rounds}`);
  const masks = startMasks(ctx);
  const perLayer = opts.densities;
  for (const [n, d] of perLayer ?? []) {
    if (!masks.has(n)) throw new ConfigError(`no prunable weight named '${n}'`);
    checkDensity(d, `density of ${n}`);
  }
  // Groups ranked together: one with every layer (global) or one per layer (local, or a density per layer).
  const groups = scope === 'global' && !perLayer ? [[...masks.keys()]] : [...masks.keys()].map((n) => [n]);
  const sizeOf = (g: string[]) => g.reduce((s, n) => s + masks.get(n)!.length, 0);
  const aliveOf = (g: string[]) => g.reduce((s, n) => s + countOnes(masks.get(n)!), 0);
  const start = groups.map((g) => ({
    names: g,
    size: sizeOf(g),
    alive: aliveOf(g),
    density: perLayer ? (perLayer.get(g[0]!) ?? aliveOf(g) / sizeOf(g)) : density,
  }));
  for (const g of start)
    if (g.alive < Math.round(g.density * g.size))
      throw new ConfigError(
        `the starting masks keep ${g.alive} of ${g.size} weights${groups.length > 1 ? ` in '${g.names[0]}'` : ''}, fewer than density ${g.density} asks for`,
      );
  for (let k = 1; k <= rounds; k++) {
    const cuts = start.map((g) => aliveOf(g.names) - keepAfterRound(g.size, g.alive, g.density, k, rounds));
    if (cuts.some((c) => c > 0)) {
      const scores = applyAndScore(p, ctx, masks, k);
      start.forEach((g, i) =>
        pruneSmallest(
          g.names.map((n) => ({ scores: scores.get(n)!, mask: masks.get(n)! })),
          cuts[i]!,
        ),
      );
    }
    opts.onRound?.(k, start.reduce((s, g) => s + aliveOf(g.names), 0) / start.reduce((s, g) => s + g.size, 0));
  }
  return masks;
}
