import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { conv2d } from '../../engine/ops/conv.js';
import { sparseConv2d } from '../../engine/ops/sparse-conv.js';
import { csrFromMask, type CsrStructure } from '../../engine/ops/sparse-linear.js';
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
  /** Dense (direct / im2col) or CSR sparse kernel; sparse applies to stride-1 layers only (see nn/dispatch.ts). */
  kernel: 'dense' | 'sparse' = 'dense';
  /** Shape of the last input, so the dispatcher can time this layer on its real size. */
  lastInputShape: number[] | null = null;
  private csr: CsrStructure | null = null;
  private csrMask: Float32Array | null = null;

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

  get sparseCapable(): boolean {
    return this.stride === 1;
  }

  forward(x: Tensor): Tensor {
    this.lastInputShape = x.shape;
    const mask = this.weight.mask;
    if (this.kernel === 'dense' || !mask || !this.sparseCapable) return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
    if (this.csrMask !== mask) {
      const k = this.kernelSize;
      this.csr = csrFromMask(mask, this.outChannels, this.inChannels * k * k);
      this.csrMask = mask;
    }
    return sparseConv2d(x, this.weight, this.bias, this.csr!, this.padding);
  }
}
