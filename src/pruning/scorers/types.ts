// What pruning at initialization works on: a model, the masks to start from, and — for the data-dependent
// scorers — a loss on one batch supplied by the caller (cross-entropy on images, MSE for regression, ...), so
// nothing here depends on a particular dataset.
import type { Tensor } from '../../engine/tensor.js';
import type { Module } from '../../nn/module.js';
import type { Masks } from '../masks.js';

/** A score per prunable weight, keyed like masks; higher = more worth keeping. */
export type Scores = Map<string, Float32Array>;

export interface PruneContext {
  /** The network; its prunable weights (Linear / Conv2d) are scored. */
  model: Module;
  /** Masks to start from: pruned weights stay pruned. Default: the masks attached to the model, else dense. */
  masks?: Masks;
  /** Seeds the random scorer. */
  seed: number;
  /**
   * The loss on a fixed batch, computed through `model.forward` (SNIP and GraSP need it). It may be called with a
   * wrapper module (GraSP divides the outputs by its temperature), so use only `forward` of the module it gets.
   */
  lossOnBatch?: (model: Module) => Tensor;
  /** Shape of one input sample, e.g. [1, 28, 28] or [2]: SynFlow's all-ones input. Default: `model.inputShape`. */
  inputShape?: readonly number[];
  /**
   * SynFlow's input in place of the all-ones sample, for networks whose inputs are token ids (an all-ones input
   * would light one embedding row): the grokking reference feeds its training batch.
   */
  synflowInput?: Tensor;
}

/** What a scorer sees in one scoring round: the model holds its current weights with pruned entries zero. */
export interface ScoreContext {
  model: Module;
  masks: Masks;
  seed: number;
  /** 1-based scoring round (iterative pruning); random scores differ per round. */
  round: number;
  lossOnBatch?: (model: Module) => Tensor;
  inputShape?: readonly number[];
  synflowInput?: Tensor;
}

export interface Pruner {
  readonly name: string;
  /** Scoring rounds pruneAtInit runs unless told otherwise (SynFlow is iterative, the others one-shot). */
  readonly defaultRounds: number;
  /**
   * Scores every prunable weight of ctx.model as it is now. It may leave the model changed (SynFlow takes |θ|):
   * scoreWeights and pruneAtInit restore the model's full state after every call.
   */
  score(ctx: ScoreContext): Scores;
}
