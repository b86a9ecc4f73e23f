// Small language models trained from scratch on a text corpus (--dataset udhr:eng --tokenizer bytes):
//   lm_decoder_<layers>_<d>[_<heads>]  GPT-2 style: token + learned position embeddings, pre-norm blocks
//                                      (x + attn(ln(x)), x + mlp(ln(x)), causal attention, GELU tanh, MLP 4d), a final
//                                      layer norm and an untied output layer; next-token loss
//   lm_encoder_<layers>_<d>[_<heads>]  the same blocks without the causal mask and with the exact GELU, trained to
//                                      predict masked tokens (BERT's objective)
// Heads default to d/32 below d = 512 and d/64 from there (GPT-2's head width). Every matrix is prunable. Init is
// GPT-2's N(0, 0.02) with zero biases (without its 1/√(2·layers) scaling of residual projections).
import type { Tensor } from '../engine/tensor.js';
import { add } from '../engine/ops/arith.js';
import { gelu } from '../engine/ops/activation.js';
import type { KeyPadding } from '../engine/ops/attention.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/layers/embedding.js';
import { LayerNorm } from '../nn/layers/layernorm.js';
import { Linear } from '../nn/layers/linear.js';
import { MultiHeadAttention } from '../nn/layers/attention.js';
import { LearnedPositions } from '../nn/layers/position.js';
import { Sequential } from '../nn/layers/sequential.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData, type Objective } from './model.js';
import { intArgs, type FamilyDefaults, type ModelContext, type ModelFamily } from './family.js';

/** One pre-norm transformer block; `keyPadding` hides padding positions from attention (encoders on padded input). */
export class Block extends Module {
  private readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  private readonly ln2: LayerNorm;
  private readonly fc1: Linear;
  private readonly fc2: Linear;

  constructor(
    d: number,
    heads: number,
    causal: boolean,
    private readonly approximate: 'tanh' | 'none',
  ) {
    super();
    this.ln1 = this.addModule('ln1', new LayerNorm(d));
    this.attn = this.addModule('attn', new MultiHeadAttention(d, heads, { causal }));
    this.ln2 = this.addModule('ln2', new LayerNorm(d));
    this.fc1 = this.addModule('fc1', new Linear(d, 4 * d));
    this.fc2 = this.addModule('fc2', new Linear(4 * d, d));
  }

  forward(x: Tensor, keyPadding?: KeyPadding): Tensor {
    const h = add(x, this.attn.forward(this.ln1.forward(x), keyPadding));
    return add(h, this.fc2.forward(gelu(this.fc1.forward(this.ln2.forward(h)), this.approximate)));
  }
}

export class LanguageModel extends Model {
  readonly dataset: ModelData = 'text';
  readonly defaultInit = 'gpt2' as const;
  readonly outputWeight = 'head.weight';
  readonly inputShape: readonly number[];
  override readonly objective: Objective;
  private readonly tokens: Embedding;
  private readonly positions: LearnedPositions;
  private readonly blocks: Sequential;
  private readonly lnF: LayerNorm;
  private readonly head: Linear;

  constructor(
    readonly name: string,
    shape: LmShape,
    readonly numClasses: number,
    seqLen: number,
    decoder: boolean,
  ) {
    super();
    const { layers, d, heads } = shape;
    this.objective = decoder ? 'next-token' : 'masked-token';
    this.inputShape = [seqLen];
    this.tokens = this.addModule('tok_emb', new Embedding(numClasses, d, 0.02));
    this.positions = this.addModule('pos_emb', new LearnedPositions(seqLen, d, 0.02));
    this.blocks = this.addModule('blocks', new Sequential());
    for (let i = 0; i < layers; i++)
      this.blocks.append(String(i), new Block(d, heads, decoder, decoder ? 'tanh' : 'none'));
    this.lnF = this.addModule('ln_f', new LayerNorm(d));
    this.head = this.addModule('head', new Linear(d, numClasses, false));
  }

  /** Token ids [B, S] (as float values) → logits [B, S, vocabulary]. */
  forward(x: Tensor): Tensor {
    const h = this.blocks.forward(this.positions.forward(this.tokens.forward(x)));
    return this.head.forward(this.lnF.forward(h));
  }
}

interface LmShape {
  layers: number;
  d: number;
  heads: number;
}

function lmShape(name: string, args: string[]): LmShape {
  const [layers, d, given] = intArgs(name, args, ['layers', 'width', 'heads'], 2, 8192) as [number, number, number?];
  if (layers > 96) throw new ConfigError(`${name}: ${layers} layers is too many (at most 96)`);
  const heads = given ?? Math.max(1, d < 512 ? Math.round(d / 32) : Math.round(d / 64));
  if (d % heads !== 0) throw new ConfigError(`${name}: ${heads} heads do not divide the width ${d}`);
  return { layers, d, heads };
}

function lmModel(name: string, args: string[], ctx: ModelContext, decoder: boolean): LanguageModel {
  if (!ctx.vocabSize || !ctx.seqLen)
    throw new ConfigError(`${name} needs a tokenizer and a sequence length (from --dataset, --tokenizer, --seq-len)`);
  return new LanguageModel(name, lmShape(name, args), ctx.vocabSize, ctx.seqLen, decoder);
}

/** AdamW 3e-4 (betas 0.9, 0.95; weight decay 0.1), batch 32 of 64 tokens, 2,000 steps on the English UDHR. */
function lmDefaults(name: string, args: string[]): FamilyDefaults {
  lmShape(name, args); // checks the name as build does
  return {
    init: 'gpt2',
    dataset: { name: 'udhr:eng', tokenizer: 'bytes', seqLen: 64, batchSize: 32, validation: 0 },
    training: {
      optimizer: 'adamw',
      lr: 3e-4,
      beta1: 0.9,
      beta2: 0.95,
      weightDecay: 0.1,
      steps: '2000it',
      evalEvery: '200it',
    },
    pruning: { strategy: 'global', rate: 0.2, convRate: 0.2, outputRate: 0.2 },
  };
}

export const lmDecoderFamily: ModelFamily = {
  pattern: /^lm_decoder(_.*)?$/,
  example: 'lm_decoder_2_128',
  data: 'text',
  build: (name, args, ctx) => lmModel(name, args, ctx, true),
  defaults: lmDefaults,
};

export const lmEncoderFamily: ModelFamily = {
  pattern: /^lm_encoder(_.*)?$/,
  example: 'lm_encoder_2_128',
  data: 'text',
  build: (name, args, ctx) => lmModel(name, args, ctx, false),
  defaults: lmDefaults,
};
