import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { embedding } from '../../engine/ops/embedding.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { initialize, type InitName } from '../init.js';

/** A [V, D] lookup table. Prunable: embedding studies (KS-Lottery) select rows of it. */
export class Embedding extends Module {
  readonly weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly dim: number) {
    super();
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(numEmbeddings * dim), [numEmbeddings, dim], true));
  }

  resetParameters(rng: Rng, init: InitName): void {
    if (init === 'normal' || init === 'zeros') initialize(this.weight, init, rng, 1);
    else initialize(this.weight, init, rng);
  }

  /** Looks up integer ids; x is unused (modules take tensors), call lookup() instead. */
  forward(): Tensor {
    throw new Error('Embedding takes integer ids: call lookup(ids)');
  }

  lookup(ids: Int32Array, shape?: readonly number[]): Tensor {
    return embedding(ids, this.weight, shape);
  }
}
