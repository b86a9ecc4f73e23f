// A sequence classifier on a pretrained lm_encoder_* model, as LTP (Li & Luo 2024) tunes one for a downstream task:
// token embeddings with L soft-prompt vectors before them, the encoder's own learned positions and blocks, its final
// norm, a mean over the non-padding positions, and a new linear layer to the class logits. The encoder's modules are
// shared with the language model, not copied, so a trainable mask on them (nn/optim/restricted.ts) moves the
// model's own weights.
import { Tensor, shapeStr } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import { bmm } from '../engine/ops/bmm.js';
import { reshape } from '../engine/ops/shape.js';
import { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { Embedding } from '../nn/layers/embedding.js';
import { LayerNorm } from '../nn/layers/layernorm.js';
import { Linear } from '../nn/layers/linear.js';
import { LearnedPositions } from '../nn/layers/position.js';
import { Sequential } from '../nn/layers/sequential.js';
import { SoftPrompt } from '../nn/layers/soft-prompt.js';
import { ConfigError } from '../util/errors.js';
import { Block, type LanguageModel } from './lm.js';

export interface PromptedClassifierOptions {
  /** Number of prompt vectors L (0: no prompt). */
  promptLength: number;
  classes: number;
  /** Token id of padding: such positions are hidden from attention and left out of the mean. */
  padId?: number;
  /** Start the prompt from these tokens' embeddings (L of them) instead of N(0, 0.02²). */
  promptTokens?: readonly number[];
  /** Seeds the prompt and the classification layer; the encoder keeps its weights. */
  seed: number;
}

/**
 * Don't pass this to initializeModel: that would re-draw the pretrained encoder too. The prompt and the
 * classification layer are initialized by the constructor.
 */
export class PromptedClassifier extends Module {
  readonly promptLength: number;
  readonly padId: number | undefined;
  /** Longest prompt plus input the encoder's position table covers. */
  readonly context: number;
  private readonly tokens: Embedding;
  private readonly positions: LearnedPositions;
  private readonly blocks: Block[];
  private readonly lnF: LayerNorm;
  private readonly prompt: SoftPrompt;
  private readonly classifier: Linear;

  constructor(lm: LanguageModel, opts: PromptedClassifierOptions) {
    super();
    if (lm.objective !== 'masked-token')
      throw new ConfigError(`a prompted classifier needs an lm_encoder_* model, got ${lm.name}`);
    if (!Number.isInteger(opts.classes) || opts.classes < 2)
      throw new ConfigError(`a classifier needs at least 2 classes, got ${opts.classes}`);
    const parts = new Map(lm.children());
    this.tokens = this.addModule('tok_emb', part(parts, 'tok_emb', Embedding));
    this.positions = this.addModule('pos_emb', part(parts, 'pos_emb', LearnedPositions));
    const blocks = this.addModule('blocks', part(parts, 'blocks', Sequential));
    this.blocks = blocks.children().map(([name, b]) => encoderBlock(b, name));
    this.lnF = this.addModule('ln_f', part(parts, 'ln_f', LayerNorm));
    this.context = this.positions.maxLength;
    this.promptLength = opts.promptLength;
    this.padId = opts.padId;
    const d = this.tokens.dim;
    const rng = Rng.stream(opts.seed, 'prompted-classifier');
    let prompt: SoftPrompt;
    if (opts.promptTokens) {
      if (opts.promptTokens.length !== opts.promptLength)
        throw new RangeError(`${opts.promptTokens.length} prompt tokens for a prompt of ${opts.promptLength}`);
      prompt = SoftPrompt.fromTokens(this.tokens.weight, opts.promptTokens);
    } else {
      prompt = new SoftPrompt(opts.promptLength, d);
      prompt.resetParameters(rng);
    }
    this.prompt = this.addModule('prompt', prompt);
    this.classifier = this.addModule('classifier', new Linear(d, opts.classes));
    this.classifier.resetParameters(rng, 'gpt2');
  }

  promptParameter(): Parameter {
    return this.prompt.weight;
  }

  headParameters(): Parameter[] {
    return this.classifier.parameters();
  }

  /** Token ids [B, S] (as float values) → class logits [B, classes]. */
  forward(ids: Tensor): Tensor {
    if (ids.ndim !== 2) throw new RangeError(`PromptedClassifier: ids must be [B, S], got ${shapeStr(ids.shape)}`);
    const [B, S] = ids.shape as [number, number];
    const L = this.promptLength;
    const T = L + S;
    if (T > this.context)
      throw new ConfigError(
        `prompt of ${L} vectors plus ${S} tokens exceeds the model's context of ${this.context} positions`,
      );
    const keep = this.keepMask(ids, B, S);
    const padded = keep.includes(0) ? { mask: keep } : undefined;
    let h = this.positions.forward(this.prompt.prepend(this.tokens.forward(ids)));
    for (const b of this.blocks) h = b.forward(h, padded);
    h = this.lnF.forward(h);
    return this.classifier.forward(meanOver(h, keep, B, T));
  }

  /** [B, L + S] with 1 where a position is real (every prompt position) and 0 at padding. */
  private keepMask(ids: Tensor, B: number, S: number): Float32Array {
    const L = this.promptLength;
    const keep = new Float32Array(B * (L + S)).fill(1);
    if (this.padId === undefined) return keep;
    for (let b = 0; b < B; b++)
      for (let s = 0; s < S; s++) if (ids.data[b * S + s] === this.padId) keep[b * (L + S) + L + s] = 0;
    return keep;
  }
}

/**
 * The mean of h [B, T, d] over the positions `keep` marks, as a product with constant weights keep/count.
 * Pooled over every non-padding position, prompt included, rather than over the prompt alone: it is defined for
 * L = 0 (where the classifier is the plain encoder's), and the tokens reach the head directly, not only through
 * what the prompt positions attend to. A row that is all padding (possible only with L = 0) pools to zeros.
 */
function meanOver(h: Tensor, keep: Float32Array, B: number, T: number): Tensor {
  const w = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) n += keep[b * T + t]!;
    for (let t = 0; t < T; t++) w[b * T + t] = n === 0 ? 0 : keep[b * T + t]! / n;
  }
  const pooled = bmm(new Tensor(w, [B, 1, T]), h);
  return reshape(pooled, [B, h.shape[2]!]);
}

function part<M extends Module>(parts: Map<string, Module>, name: string, kind: abstract new (...a: never[]) => M): M {
  const m = parts.get(name);
  if (!(m instanceof kind)) throw new Error(`the language model has no '${name}' of the expected kind`);
  return m;
}

function encoderBlock(block: Module, name: string): Block {
  if (!(block instanceof Block) || block.attn.causal)
    throw new Error(`blocks.${name} is not a non-causal encoder block`);
  return block;
}
