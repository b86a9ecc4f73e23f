// Position embeddings added to [B, S, dim] activations: learned (a prunable table) or fixed sinusoidal ones.
import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { addPositions, sinusoidalTable } from '../../engine/ops/position.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { normal } from '../init.js';

/** Learned position embeddings: adds row p of a prunable [maxLength, dim] table at position p of [B, S, dim]. */
export class LearnedPositions extends Module {
  readonly weight: Parameter;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
    readonly initStd = 0.02,
  ) {
    super();
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(maxLength * dim), [maxLength, dim], true));
  }

  resetParameters(rng: Rng): void {
    normal(this.weight, rng, this.initStd);
  }

  /** x [B, S, dim] with positions offset..offset+S-1 added. */
  forward(x: Tensor, offset = 0): Tensor {
    return addPositions(x, this.weight, offset);
  }
}

/**
 * Fixed sinusoidal position embeddings added to [B, S, dim]. The table is computed, not stored: it is neither a
 * parameter nor part of the state dict.
 */
export class SinusoidalPositions extends Module {
  readonly table: Tensor;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
  ) {
    super();
    this.table = sinusoidalTable(maxLength, dim);
  }

  forward(x: Tensor, offset = 0): Tensor {
    return addPositions(x, this.table, offset);
  }
}
