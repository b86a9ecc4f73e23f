// Snapshots of a model's full state (weights, buffers, attached masks, train/eval flags), so pruning can score
// perturbed or trained weights and still hand the model back exactly as it came.
import type { Module } from './module.js';

/** Captures the model's state now; the returned function puts it back (and may be called more than once). */
export function snapshotModel(model: Module): () => void {
  const state = model.stateDict();
  const masks = model.prunableParameters().map(([, p]) => [p, p.mask] as const);
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  return () => {
    for (const [p, m] of masks) p.setMask(m);
    model.loadStateDict(state);
    for (const [m, t] of modes) m.training = t;
    model.zeroGrad();
  };
}
