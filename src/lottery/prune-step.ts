// One level of iterative magnitude pruning: the next mask from the trained weights and the current mask,
// with the strategy and rates of the pruning hyperparameters.
import type { Model } from '../models/model.js';
import { layerKinds } from '../models/families.js';
import type { PruningHparams } from '../hparams/groups.js';
import { pruneGlobal, pruneLayerwise } from '../pruning/magnitude.js';
import type { Masks } from '../pruning/masks.js';

/** Per-layer rates for layerwise pruning: conv, fc and output rates by layer kind. */
export function layerRates(model: Model, p: PruningHparams): Map<string, number> {
  const rates = new Map<string, number>();
  for (const [name, kind] of layerKinds(model)) rates.set(name, kind === 'conv' ? p.convRate : kind === 'output' ? p.outputRate : p.rate);
  return rates;
}

export function nextMask(model: Model, trained: ReadonlyMap<string, Float32Array>, current: Masks, p: PruningHparams): Masks {
  return p.strategy === 'global' ? pruneGlobal(trained, current, p.rate, p.ignore) : pruneLayerwise(trained, current, layerRates(model, p));
}
