import { Tensor } from '../../engine/tensor.js';
import { batchNorm } from '../../engine/ops/batchnorm.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Batch norm over channels of [N, C] or [N, C, H, W]; γ = 1, β = 0 at reset (not prunable). */
export class BatchNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;

  constructor(
    readonly channels: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(channels).fill(1), [channels]));
    this.bias = this.addParameter('bias', new Parameter(new Float32Array(channels), [channels]));
    this.runningMean = this.addBuffer('running_mean', new Float32Array(channels));
    this.runningVar = this.addBuffer('running_var', new Float32Array(channels).fill(1));
  }

  resetParameters(): void {
    this.weight.data.fill(1);
    this.bias.data.fill(0);
    this.runningMean.fill(0);
    this.runningVar.fill(1);
  }

  forward(x: Tensor): Tensor {
    return batchNorm(x, this.weight, this.bias, this, this.training, this.momentum, this.eps);
  }
}
