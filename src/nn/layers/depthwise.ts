// A depthwise convolution layer: one K×K filter per channel (weight [C, 1, K, K]), padding K/2 by default so the
// plane keeps its size at stride 1. Its weight is prunable like any conv weight; it always runs the dense kernel
// (a K×K filter per channel is too small for CSR to pay).
import type { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { depthwiseConv2d } from '../../engine/ops/depthwise.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { initialize, initializeBias, type BiasInit, type InitName } from '../init.js';

export interface DepthwiseConfig {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

export class DepthwiseConv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly channels: number,
    readonly kernelSize: number,
    cfg: DepthwiseConfig = {},
  ) {
    super();
    if (!(Number.isInteger(kernelSize) && kernelSize >= 1))
      throw new RangeError(`depthwise kernel size must be a positive integer, got ${kernelSize}`);
    this.stride = cfg.stride ?? 1;
    this.padding = cfg.padding ?? Math.floor(kernelSize / 2);
    const k2 = kernelSize * kernelSize;
    this.weight = this.addParameter(
      'weight',
      new Parameter(new Float32Array(channels * k2), [channels, 1, kernelSize, kernelSize], true),
    );
    this.bias =
      cfg.bias === false ? null : this.addParameter('bias', new Parameter(new Float32Array(channels), [channels]));
  }

  resetParameters(rng: Rng, init: InitName, bias: BiasInit = 'uniform'): void {
    initialize(this.weight, init, rng);
    if (this.bias) initializeBias(this.bias, bias, this.kernelSize * this.kernelSize, rng);
  }

  forward(x: Tensor): Tensor {
    return depthwiseConv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}
