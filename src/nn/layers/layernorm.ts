import { Tensor } from '../../engine/tensor.js';
import { layerNorm } from '../../engine/ops/layernorm.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LayerNormOptions {
  eps?: number;
  /** A learned shift (PyTorch's bias=True); the scale is always learned. */
  bias?: boolean;
}

/** Layer norm over the last axis (width `dim`); γ = 1, β = 0 at reset (not prunable). */
export class LayerNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly eps: number;

  constructor(
    readonly dim: number,
    opts: LayerNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(dim).fill(1), [dim]));
    this.bias = opts.bias === false ? null : this.addParameter('bias', new Parameter(new Float32Array(dim), [dim]));
  }

  resetParameters(): void {
    this.weight.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
