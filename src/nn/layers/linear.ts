import { Tensor } from '../../engine/tensor.js';
import { isGradEnabled } from '../../engine/autograd.js';
import type { Rng } from '../../engine/rng.js';
import { linear, overRows } from '../../engine/ops/linear.js';
import { sparseLinear } from '../../engine/ops/sparse-linear.js';
import { csrFromIndices, type CsrStructure } from '../../engine/csr.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { impliedBiasInit, initialize, initializeBias, type BiasInit, type InitName } from '../init.js';

/** y = x Wᵀ + b over the last axis of x: [N, in] → [N, out], or [..., in] → [..., out] (sequences). */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  /** Which kernel runs this layer: dense GEMM on the masked weight, or CSR sparse (see nn/dispatch.ts). */
  kernel: 'dense' | 'sparse' = 'dense';
  /** Shape of the last input and whether it needed a gradient, so the dispatcher can time this layer as trained. */
  lastInputShape: number[] | null = null;
  lastInputNeedsGrad: boolean | null = null;
  private csr: CsrStructure | null = null;
  private csrOf: Int32Array | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
    /** Whether the bias is prunable too (masked and ranked with the weights), as in Plant 'n' Seek's runs. */
    prunableBias = false,
  ) {
    super();
    this.weight = this.addParameter(
      'weight',
      new Parameter(new Float32Array(outFeatures * inFeatures), [outFeatures, inFeatures], true),
    );
    this.bias = bias
      ? this.addParameter('bias', new Parameter(new Float32Array(outFeatures), [outFeatures], prunableBias))
      : null;
  }

  resetParameters(rng: Rng, init: InitName, bias: BiasInit = impliedBiasInit(init)): void {
    initialize(this.weight, init, rng);
    if (this.bias) initializeBias(this.bias, bias, this.inFeatures, rng);
  }

  /**
   * Switches the kernel. The sparse kernel packs a masked weight (only its non-zeros are stored, so gradient
   * and optimizer state shrink with it); the dense kernel needs the dense weight back.
   */
  setKernel(kernel: 'dense' | 'sparse'): void {
    this.kernel = kernel;
    if (kernel === 'sparse' && this.weight.masked) this.weight.pack();
    else this.weight.unpack();
  }

  forward(x: Tensor): Tensor {
    this.lastInputShape = x.shape;
    if (isGradEnabled()) this.lastInputNeedsGrad = x.requiresGrad; // noGrad passes (evaluation) tell nothing
    const mask = this.weight.masked;
    if (this.kernel === 'dense' || !mask) return linear(x, this.weight, this.bias);
    if (this.csrOf !== this.weight.active) {
      // The mask is fixed within a pruning level: build the CSR structure once per mask.
      this.csr = csrFromIndices(this.weight.active!, this.outFeatures, this.inFeatures);
      this.csrOf = this.weight.active;
    }
    const sparse = (rows: Tensor) => sparseLinear(rows, this.weight, this.bias, this.csr!);
    return x.ndim > 2 ? overRows('Linear', x, this.inFeatures, this.outFeatures, sparse) : sparse(x);
  }
}
