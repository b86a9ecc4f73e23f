// Token embeddings: a prunable [vocabulary, dim] table. Its gradient touches only the rows looked up
// (engine/ops/embedding.ts), so a 50K-row vocabulary costs per step what its used rows cost.
import { Tensor, shapeStr } from '../../engine/tensor.js';
import type { Rng } from '../../engine/rng.js';
import { embedding } from '../../engine/ops/embedding.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { normal } from '../init.js';

/** The integer values of an id tensor (ids travel as float tensors through Module.forward). */
function idsOf(x: Tensor): Int32Array {
  const ids = new Int32Array(x.size);
  const d = x.data;
  for (let i = 0; i < ids.length; i++) {
    const v = d[i]!;
    if (!Number.isInteger(v))
      throw new RangeError(`Embedding: ids must be integers, found ${v} in ${shapeStr(x.shape)}`);
    ids[i] = v;
  }
  return ids;
}

/**
 * A lookup table [numEmbeddings, dim]: ids [...] → [..., dim]. Initialized N(0, initStd²) whatever the model's
 * init scheme (PyTorch's nn.Embedding uses std 1, GPT-2 0.02).
 */
export class Embedding extends Module {
  readonly weight: Parameter;

  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
    readonly initStd = 1,
  ) {
    super();
    this.weight = this.addParameter(
      'weight',
      new Parameter(new Float32Array(numEmbeddings * dim), [numEmbeddings, dim], true),
    );
  }

  resetParameters(rng: Rng): void {
    normal(this.weight, rng, this.initStd);
  }

  /** Rows for ids laid out in `shape` (default flat). */
  lookup(ids: Int32Array, shape: readonly number[] = [ids.length]): Tensor {
    return embedding(ids, this.weight, shape);
  }

  /** ids as a tensor of integer values, e.g. [B, S] → [B, S, dim]. */
  forward(ids: Tensor): Tensor {
    return embedding(idsOf(ids), this.weight, ids.shape);
  }
}
