// What training a model holds in memory, by kind: the numbers behind "a sparse model's memory follows its
// non-zeros". Packed weights (sparse kernel) hold values, positions, gradients and optimizer state for their
// non-zeros only; a weight on the dense kernel keeps its dense 0/1 mask too.
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';

export interface TrainingMemory {
  /** Weight values as stored (packed: non-zeros only). */
  weights: number;
  gradients: number;
  optimizer: number;
  /** Index arrays of masked weights (the non-zeros' positions). */
  indices: number;
  /** Dense 0/1 masks. */
  masks: number;
  /** weights + gradients + optimizer state had every weight been stored dense. */
  denseEquivalent: number;
}

export function trainingMemory(model: Module, optimizer: Optimizer): TrainingMemory {
  const m: TrainingMemory = {
    weights: 0,
    gradients: 0,
    optimizer: optimizer.stateBytes(),
    indices: 0,
    masks: 0,
    denseEquivalent: 0,
  };
  let denseState = 0;
  for (const p of model.parameters()) {
    m.weights += p.storage.byteLength;
    m.gradients += p.grad?.byteLength ?? 0;
    m.indices += p.active?.byteLength ?? 0;
    m.masks += p.maskBytes;
    denseState += 4 * p.size;
  }
  // Dense: one value, one gradient and the optimizer's per-weight buffers (as many as it holds per stored value).
  const stored = model.parameters().reduce((s, p) => s + p.storage.length, 0);
  const perWeight = stored > 0 ? m.optimizer / (4 * stored) : 0;
  m.denseEquivalent = denseState * (2 + perWeight);
  return m;
}
