// Where each run of the grokking study starts: its weights and its mask.
//   ticket       global magnitude pruning of the generalized base's final weights, keeping `keep`; survivors at θ0
//   l1, l2       the dense θ0, every tensor multiplied by one ratio: the ticket's L1 (L2) norm over θ0's
//   random       the ticket's layer densities, positions drawn at random; θ0
//   snip, grasp, synflow   the pruner's mask at θ0 with the ticket's layer densities (the loss on the full training
//                batch; SynFlow scores with that batch for one round, as the reference does)
//   checkpoint   global magnitude pruning of the base's weights at an earlier epoch, keeping `keep`; θ0
import { Tensor } from '../../engine/tensor.js';
import type { Model } from '../../models/model.js';
import type { TensorDataset } from '../../data/tensor-dataset.js';
import { pruneGlobalToDensity } from '../../pruning/magnitude.js';
import { denseMasks, layerDensities, totalDensity, type Masks } from '../../pruning/masks.js';
import { randomizeLayerwise } from '../../pruning/random.js';
import { pruneAtInit } from '../../pruning/at-init.js';
import type { LossFn } from '../../training/loss.js';
import type { Weights } from '../../store/weights.js';
import type { Control } from './settings.js';

export interface ControlInputs {
  model: Model;
  theta0: Weights;
  /** The dense base's final weights (ticket and the controls matched to it). */
  baseFinal: Weights;
  /** The base's weights at the checkpoint control's epoch. */
  baseAt?: Weights;
  train: TensorDataset;
  loss: LossFn;
  keep: number;
  seed: number;
}

export interface ControlStart {
  start: Weights;
  masks: Masks | null;
}

/** Masks keeping the `keep` largest-magnitude prunable weights of `weights`, ranked over all layers together. */
export function magnitudeMasks(model: Model, weights: Weights, keep: number): Masks {
  const prunable = new Map(model.prunableParameters().map(([n]) => [n, weights.get(n)!]));
  return pruneGlobalToDensity(prunable, denseMasks(model), keep);
}

/** Σ|w|^k over every tensor, to the power 1/k. */
function norm(w: Weights, k: 1 | 2): number {
  let s = 0;
  for (const t of w.values()) for (const v of t) s += k === 1 ? Math.abs(v) : v * v;
  return k === 1 ? s : Math.sqrt(s);
}

function scaled(w: Weights, c: number): Weights {
  return new Map([...w].map(([n, t]) => [n, t.map((v) => v * c)]));
}

function masked(w: Weights, masks: Masks): Weights {
  return new Map(
    [...w].map(([n, t]) => {
      const m = masks.get(n);
      return [n, m ? t.map((v, i) => (m[i] ? v : 0)) : t.slice()];
    }),
  );
}

/** Runs the pruner at θ0 (restoring the model afterwards) to the ticket's density in every layer. */
function pruneToLayers(i: ControlInputs, pruner: 'snip' | 'grasp' | 'synflow', ticket: Masks): Masks {
  const { model, train } = i;
  const saved = model.stateDict();
  model.loadStateDict(i.theta0);
  try {
    const x = new Tensor(train.x, [train.size, ...train.sampleShape]);
    const y = train.y;
    return pruneAtInit(
      pruner,
      {
        model,
        seed: i.seed,
        lossOnBatch: (m) => i.loss(m.forward(x), y),
        synflowInput: x,
      },
      totalDensity(ticket),
      { densities: new Map(Object.entries(layerDensities(ticket))), rounds: pruner === 'synflow' ? 1 : undefined },
    );
  } finally {
    model.loadStateDict(saved);
  }
}

export function controlStart(c: Control, i: ControlInputs): ControlStart {
  if (c.kind === 'dense') return { start: i.theta0, masks: null };
  if (c.kind === 'checkpoint') {
    if (!i.baseAt) throw new Error('the checkpoint control needs the base weights of its epoch');
    const masks = magnitudeMasks(i.model, i.baseAt, i.keep);
    return { start: masked(i.theta0, masks), masks };
  }
  const ticket = magnitudeMasks(i.model, i.baseFinal, i.keep);
  switch (c.kind) {
    case 'ticket':
      return { start: masked(i.theta0, ticket), masks: ticket };
    case 'l1':
    case 'l2': {
      const k = c.kind === 'l1' ? 1 : 2;
      return { start: scaled(i.theta0, norm(masked(i.theta0, ticket), k) / norm(i.theta0, k)), masks: null };
    }
    case 'random': {
      const masks = randomizeLayerwise(ticket, i.seed);
      return { start: masked(i.theta0, masks), masks };
    }
    case 'snip':
    case 'grasp':
    case 'synflow': {
      const masks = pruneToLayers(i, c.kind, ticket);
      return { start: masked(i.theta0, masks), masks };
    }
  }
}
