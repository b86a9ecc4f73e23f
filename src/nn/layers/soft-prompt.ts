// Soft prompts (prompt tuning): L trainable vectors of the model's width placed before the token embeddings of every
// sequence. They are the only input-side weights LTP trains on a downstream task; the token embedding stays frozen.
import { Tensor, shapeStr } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { addPositions } from '../../engine/ops/position.js';
import { concat } from '../../engine/ops/concat.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { normal } from '../init.js';

export class SoftPrompt extends Module {
  readonly weight: Parameter;

  /** L vectors of width d, N(0, initStd²) at reset. L = 0 is allowed and prepends nothing. */
  constructor(
    readonly length: number,
    readonly dim: number,
    readonly initStd = 0.02,
  ) {
    super();
    if (!Number.isInteger(length) || length < 0 || !Number.isInteger(dim) || dim < 1)
      throw new RangeError(`SoftPrompt: needs a length >= 0 and a width >= 1, got ${length} x ${dim}`);
    // Not prunable: a prompt is a handful of vectors that train whole.
    this.weight = this.addParameter('weight', new Parameter(new Float32Array(length * dim), [length, dim]));
  }

  /** A prompt started from rows `ids` of a token table [V, d] (copied, so the table itself is not shared). */
  static fromTokens(table: Tensor, ids: readonly number[]): SoftPrompt {
    if (table.ndim !== 2) throw new RangeError(`SoftPrompt: token table must be [V, d], got ${shapeStr(table.shape)}`);
    const [V, d] = table.shape as [number, number];
    const prompt = new SoftPrompt(ids.length, d);
    prompt.copyTokens(table, ids, V, d);
    return prompt;
  }

  resetParameters(rng: Rng): void {
    normal(this.weight, rng, this.initStd);
  }

  /** x [B, S, d] → [B, L + S, d]: the prompt at positions 0..L-1 of every sequence. */
  prepend(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.dim)
      throw new RangeError(`SoftPrompt: input ${shapeStr(x.shape)} is not [B, S, ${this.dim}]`);
    if (this.length === 0) return x;
    // Adding the prompt as "positions" of a zero tensor broadcasts it over the batch; that op's backward sums the
    // batch's gradients into the prompt, which is what the broadcast needs.
    const rows = addPositions(Tensor.zeros([x.shape[0]!, this.length, this.dim]), this.weight);
    return concat([rows, x], 1);
  }

  forward(x: Tensor): Tensor {
    return this.prepend(x);
  }

  private copyTokens(table: Tensor, ids: readonly number[], V: number, d: number): void {
    const w = this.weight.data;
    for (const [i, id] of ids.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw new RangeError(`SoftPrompt: token id ${id} outside a vocabulary of ${V}`);
      w.set(table.data.subarray(id * d, (id + 1) * d), i * d);
    }
  }
}
