// One level of iterative magnitude pruning: the next mask from the trained weights and the current mask,
// with the strategy and rates of the pruning hyperparameters.
import type { Model } from '../models/model.js';
import { layerKinds } from '../models/layer-kinds.js';
import type { PruningHparams } from '../hparams/groups.js';
import { pruneGlobal, pruneGlobalToDensity, pruneLayersToDensity, pruneLayerwise } from '../pruning/magnitude.js';
import type { Masks } from '../pruning/masks.js';

/** Per-layer rates for layerwise pruning: conv, fc and output rates by layer kind. */
export function layerRates(model: Model, p: PruningHparams): Map<string, number> {
  const rates = new Map<string, number>();
  for (const [name, kind] of layerKinds(model))
    rates.set(name, kind === 'conv' ? p.convRate : kind === 'output' ? p.outputRate : p.rate);
  return rates;
}

/**
 * The mask of `level` (1-based) out of `levels`. With a target density d, level L reaches d^(L/levels); layerwise,
 * a layer of per-level rate r reaches d^(log(1-r)/log(1-r_fc)), the density IMP at those rates would give it when
 * the fc layers reach d.
 */
export function nextMask(
  model: Model,
  trained: ReadonlyMap<string, Float32Array>,
  current: Masks,
  p: PruningHparams,
  level = 1,
  levels = 1,
): Masks {
  if (p.targetDensity > 0) {
    const d = p.targetDensity ** (level / levels);
    if (p.strategy === 'global') return pruneGlobalToDensity(trained, current, d, p.ignore);
    const fc = Math.log(1 - p.rate);
    const densities = new Map(
      [...layerRates(model, p)].map(([n, r]) => [n, fc === 0 ? d : d ** (Math.log(1 - r) / fc)]),
    );
    return pruneLayersToDensity(trained, current, densities);
  }
  return p.strategy === 'global'
    ? pruneGlobal(trained, current, p.rate, p.ignore)
    : pruneLayerwise(trained, current, layerRates(model, p));
}
