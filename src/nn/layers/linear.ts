import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { linear } from '../../engine/ops/linear.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { biasUniform, initialize, type InitName } from '../init.js';

export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(outFeatures * inFeatures), [outFeatures, inFeatures], true));
    this.bias = bias ? this.addParameter('bias', new Parameter(new Float32Array(outFeatures), [outFeatures])) : null;
  }

  resetParameters(rng: Rng, init: InitName): void {
    initialize(this.weight, init, rng);
    if (this.bias) biasUniform(this.bias, this.inFeatures, rng);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
