import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { conv2d } from '../../engine/ops/conv.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { biasUniform, initialize, type InitName } from '../init.js';

export interface Conv2dConfig {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, cfg: Conv2dConfig = {}) {
    super();
    this.stride = cfg.stride ?? 1;
    this.padding = cfg.padding ?? 0;
    const shape = [outChannels, inChannels, kernelSize, kernelSize];
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(outChannels * inChannels * kernelSize * kernelSize), shape, true));
    this.bias = cfg.bias === false ? null : this.addParameter('bias', new Parameter(new Float32Array(outChannels), [outChannels]));
  }

  resetParameters(rng: Rng, init: InitName): void {
    initialize(this.weight, init, rng);
    if (this.bias) biasUniform(this.bias, this.inChannels * this.kernelSize * this.kernelSize, rng);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}
