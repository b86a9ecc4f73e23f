import { Tensor } from '../../engine/tensor.js';
import { isGradEnabled } from '../../engine/autograd.js';
import type { Rng } from '../../engine/rng.js';
import { conv2d } from '../../engine/ops/conv.js';
import { sparseConv2d } from '../../engine/ops/sparse-conv.js';
import { csrFromIndices, type CsrStructure } from '../../engine/csr.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { initialize, initializeBias, type BiasInit, type InitName } from '../init.js';

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
  lastInputNeedsGrad: boolean | null = null;
  private csr: CsrStructure | null = null;
  private csrOf: Int32Array | null = null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    cfg: Conv2dConfig = {},
  ) {
    super();
    this.stride = cfg.stride ?? 1;
    this.padding = cfg.padding ?? 0;
    const shape = [outChannels, inChannels, kernelSize, kernelSize];
    this.weight = this.addParameter(
      'weight',
      new Parameter(new Float32Array(outChannels * inChannels * kernelSize * kernelSize), shape, true),
    );
    this.bias =
      cfg.bias === false
        ? null
        : this.addParameter('bias', new Parameter(new Float32Array(outChannels), [outChannels]));
  }

  resetParameters(rng: Rng, init: InitName, bias: BiasInit = 'uniform'): void {
    initialize(this.weight, init, rng);
    if (this.bias) initializeBias(this.bias, bias, this.inChannels * this.kernelSize * this.kernelSize, rng);
  }

  get sparseCapable(): boolean {
    return this.stride === 1;
  }

  /**
   * Switches the kernel. The sparse kernel packs a masked weight (only its non-zeros are stored, so gradient
   * and optimizer state shrink with it); the dense kernel needs the dense weight back.
   */
  setKernel(kernel: 'dense' | 'sparse'): void {
    this.kernel = kernel;
    if (kernel === 'sparse' && this.weight.masked && this.sparseCapable) this.weight.pack();
    else this.weight.unpack();
  }

  forward(x: Tensor): Tensor {
    this.lastInputShape = x.shape;
    if (isGradEnabled()) this.lastInputNeedsGrad = x.requiresGrad; // noGrad passes (evaluation) tell nothing
    const mask = this.weight.masked;
    if (this.kernel === 'dense' || !mask || !this.sparseCapable)
      return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
    if (this.csrOf !== this.weight.active) {
      const k = this.kernelSize;
      this.csr = csrFromIndices(this.weight.active!, this.outChannels, this.inChannels * k * k);
      this.csrOf = this.weight.active;
    }
    return sparseConv2d(x, this.weight, this.bias, this.csr!, this.padding);
  }
}
