import { Tensor } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { linear } from '../../engine/ops/linear.js';
import { csrFromMask, sparseLinear, type CsrStructure } from '../../engine/ops/sparse-linear.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { biasUniform, initialize, type InitName } from '../init.js';

export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  /** Which kernel runs this layer: dense GEMM on the masked weight, or CSR sparse (see nn/dispatch.ts). */
  kernel: 'dense' | 'sparse' = 'dense';
  private csr: CsrStructure | null = null;
  private csrMask: Float32Array | null = null;

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
    const mask = this.weight.mask;
    if (this.kernel === 'dense' || !mask) return linear(x, this.weight, this.bias);
    if (this.csrMask !== mask) {
      // The mask is fixed within a pruning level: build the CSR structure once per mask.
      this.csr = csrFromMask(mask, this.outFeatures, this.inFeatures);
      this.csrMask = mask;
    }
    return sparseLinear(x, this.weight, this.bias, this.csr!);
  }
}
