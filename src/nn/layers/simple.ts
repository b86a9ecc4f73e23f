// Parameter-free layers.
import { Tensor } from '../../engine/tensor.js';
import { Rng } from '../../engine/rng.js';
import { relu, gelu, dropout } from '../../engine/ops/activation.js';
import { maxPool2d } from '../../engine/ops/pool.js';
import { flatten } from '../../engine/ops/shape.js';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** GELU; 'tanh' is GPT-2's approximation, 'none' the exact erf form (see engine/ops/activation.ts). */
export class GELU extends Module {
  constructor(readonly approximate: 'tanh' | 'none' = 'tanh') {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernel: number,
    readonly stride = kernel,
    readonly padding = 0,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernel, this.stride, this.padding);
  }
}

export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return flatten(x);
  }
}

/** Dropout draws its masks from its own seeded stream, so it never shifts the init or data-order streams. */
export class Dropout extends Module {
  private rng: Rng;
  constructor(
    readonly p: number,
    seed = 0,
  ) {
    super();
    this.rng = Rng.stream(seed, 'dropout');
  }
  reseed(seed: number, name: string): void {
    this.rng = Rng.stream(seed, `dropout:${name}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}
