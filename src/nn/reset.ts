// Initializes a whole model from one seeded stream, walking modules in registration order, so the same seed
// gives bit-identical weights on the same machine.
import { Rng } from '../engine/rng.js';
import type { BiasInit, InitName } from './init.js';
import { Module } from './module.js';
import { Dropout } from './layers/simple.js';

interface Resettable {
  resetParameters(rng: Rng, init: InitName, bias?: BiasInit): void;
}

function isResettable(m: Module): m is Module & Resettable {
  return typeof (m as unknown as Resettable).resetParameters === 'function';
}

/** `bias` unset: each layer's own default (Linear: the one `init` implies; conv: uniform). */
export function initializeModel(model: Module, seed: number, init: InitName, bias?: BiasInit): void {
  const rng = Rng.stream(seed, 'init');
  for (const [prefix, m] of model.namedModules()) {
    if (isResettable(m)) m.resetParameters(rng, init, bias);
    if (m instanceof Dropout) m.reseed(seed, prefix.slice(0, -1));
  }
  // Re-apply masks: a re-initialized masked weight must stay zero where pruned.
  for (const p of model.parameters()) if (p.masked) p.setMask(p.mask);
}
