// The networks of Grokking Tickets (Minegishi et al.), as its reference code builds them (arxiv_version branch), for
// (a + b) mod p on two input tokens:
//   grok_mlp_<p>          logits = W_U · W_out · ReLU(W_in · (E[a] + E[b])): E [p, 500], W_in 48×500, W_out 500×48,
//                         W_U p×500, no biases (the reference's OnlyMLP with num_layers 0: W_in is applied per token
//                         and summed, which is W_in of the sum)
//   grok_transformer_<p>  one block, d_model 128, one head, d_mlp 128, causal attention, no positional embedding, no
//                         layer norm, no attention biases; the MLP has biases (zero at init, trained, as in the
//                         reference's MLP2); logits of the last position
// Every matrix is prunable. Init: N(0, 1/fan_in) for every matrix and N(0, 1/p) for the embedding, as the reference.
import type { Tensor } from '../engine/tensor.js';
import { add } from '../engine/ops/arith.js';
import { relu } from '../engine/ops/activation.js';
import { selectPosition } from '../engine/ops/shape.js';
import { Embedding } from '../nn/layers/embedding.js';
import { Linear } from '../nn/layers/linear.js';
import { MultiHeadAttention } from '../nn/layers/attention.js';
import { modularTrainSize } from '../data/modular.js';
import { Model, type ModelData, type Objective } from './model.js';
import { intArgs, type FamilyDefaults, type ModelFamily } from './family.js';

/** Each token's ids: column `col` of a [B, 2] id tensor. */
function column(x: Tensor, col: number): Int32Array {
  const n = x.shape[0]!;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = x.data[i * 2 + col]!;
  return ids;
}

/** What both networks share: two input tokens, p classes, the reference's loss and init. */
abstract class GrokModel extends Model {
  readonly dataset: ModelData = 'modular';
  override readonly objective: Objective = 'classify-f64';
  readonly inputShape = [2] as const;
  readonly defaultInit = 'lecun_normal' as const;
  readonly outputWeight = 'unembed.weight';
}

export class GrokMlp extends GrokModel {
  private readonly embed: Embedding;
  private readonly inproj: Linear;
  private readonly outproj: Linear;
  private readonly unembed: Linear;

  constructor(
    readonly name: string,
    readonly numClasses: number,
    dEmb = 500,
    dHidden = 48,
  ) {
    super();
    this.embed = this.addModule('embed', new Embedding(numClasses, dEmb, 1 / Math.sqrt(numClasses)));
    this.inproj = this.addModule('inproj', new Linear(dEmb, dHidden, false));
    this.outproj = this.addModule('outproj', new Linear(dHidden, dEmb, false));
    this.unembed = this.addModule('unembed', new Linear(dEmb, numClasses, false));
  }

  forward(x: Tensor): Tensor {
    const e = add(this.embed.lookup(column(x, 0)), this.embed.lookup(column(x, 1)));
    return this.unembed.forward(this.outproj.forward(relu(this.inproj.forward(e))));
  }
}

export class GrokTransformer extends GrokModel {
  private readonly embed: Embedding;
  private readonly attn: MultiHeadAttention;
  private readonly mlpIn: Linear;
  private readonly mlpOut: Linear;
  private readonly unembed: Linear;

  constructor(
    readonly name: string,
    readonly numClasses: number,
    dModel = 128,
    dMlp = 128,
  ) {
    super();
    this.embed = this.addModule('embed', new Embedding(numClasses, dModel, 1 / Math.sqrt(numClasses)));
    this.attn = this.addModule('attn', new MultiHeadAttention(dModel, 1, { bias: false, causal: true }));
    this.mlpIn = this.addModule('mlp_in', new Linear(dModel, dMlp, true));
    this.mlpOut = this.addModule('mlp_out', new Linear(dMlp, dModel, true));
    this.unembed = this.addModule('unembed', new Linear(dModel, numClasses, false));
  }

  forward(x: Tensor): Tensor {
    const e = this.embed.forward(x);
    const r = add(e, this.attn.forward(e));
    const h = add(r, this.mlpOut.forward(relu(this.mlpIn.forward(r))));
    return this.unembed.forward(selectPosition(h, -1));
  }
}

function modulus(name: string, args: string[]): number {
  return intArgs(name, args, ['p'], 1, 1000)[0]!;
}

/**
 * The reference's settings: AdamW lr 1e-3, betas (0.9, 0.98), weight decay 1.0, full-batch training on 40% of the
 * pairs (one step per epoch), 30,000 epochs, every matrix pruned together (global magnitude).
 */
function grokDefaults(name: string, args: string[]): FamilyDefaults {
  const p = modulus(name, args);
  return {
    init: 'lecun_normal',
    dataset: { batchSize: modularTrainSize(p, 0.4), validation: 0 },
    training: {
      optimizer: 'adamw',
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.98,
      weightDecay: 1,
      steps: '30000ep',
      evalEvery: '10ep',
    },
    pruning: { strategy: 'global', rate: 0.6, convRate: 0.6, outputRate: 0.6 },
  };
}

export const grokMlpFamily: ModelFamily = {
  pattern: /^grok_mlp(_.*)?$/,
  example: 'grok_mlp_67',
  data: 'modular',
  build: (name, args) => new GrokMlp(name, modulus(name, args)),
  defaults: grokDefaults,
};

export const grokTransformerFamily: ModelFamily = {
  pattern: /^grok_transformer(_.*)?$/,
  example: 'grok_transformer_67',
  data: 'modular',
  build: (name, args) => new GrokTransformer(name, modulus(name, args)),
  defaults: grokDefaults,
};
