// Multi-head attention with its four projections as separate Linear layers (`q_proj`, `k_proj`, `v_proj`,
// `out_proj`), so each matrix is its own prunable weight with its own mask, and the dispatcher (nn/dispatch.ts)
// can put each on the dense or the sparse kernel. The attention itself is the fused op (engine/ops/attention.ts).
import { Tensor } from '../../engine/tensor.js';
import { attention, type KeyPadding } from '../../engine/ops/attention.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';

export interface MultiHeadAttentionOptions {
  /** Biases on the four projections (default true; GPT-2 and BERT have them, the grokking transformer not). */
  bias?: boolean;
  /** Each position attends only to itself and earlier ones (decoders). */
  causal?: boolean;
}

export class MultiHeadAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly outProj: Linear;
  readonly causal: boolean;

  constructor(
    readonly dModel: number,
    readonly heads: number,
    opts: MultiHeadAttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(heads) || heads < 1 || dModel % heads !== 0)
      throw new RangeError(`MultiHeadAttention: ${heads} heads do not divide the model width ${dModel}`);
    const bias = opts.bias ?? true;
    this.causal = opts.causal ?? false;
    this.qProj = this.addModule('q_proj', new Linear(dModel, dModel, bias));
    this.kProj = this.addModule('k_proj', new Linear(dModel, dModel, bias));
    this.vProj = this.addModule('v_proj', new Linear(dModel, dModel, bias));
    this.outProj = this.addModule('out_proj', new Linear(dModel, dModel, bias));
  }

  /** Self-attention over x [B, S, dModel]; keyPadding hides padded positions as keys. */
  forward(x: Tensor, keyPadding?: KeyPadding): Tensor {
    return this.attend(x, x, keyPadding);
  }

  /** Queries from x [B, Sq, dModel], keys and values from context [B, Sk, dModel] (cross-attention). */
  attend(x: Tensor, context: Tensor, keyPadding?: KeyPadding): Tensor {
    const q = this.qProj.forward(x);
    const k = this.kProj.forward(context);
    const v = this.vProj.forward(context);
    const heads = attention(q, k, v, { heads: this.heads, causal: this.causal, keyPadding });
    return this.outProj.forward(heads);
  }
}
