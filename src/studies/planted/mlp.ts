// The networks of the planted-ticket study: fully connected ReLU networks `widths[0] → … → widths[L]` whose Linear
// layers are named fc1..fcL (weights prunable; biases too when `pruneBias`, as in the paper's runs), with a linear
// output layer.
import type { Tensor } from '../../engine/tensor.js';
import { relu } from '../../engine/ops/activation.js';
import { Linear } from '../../nn/layers/linear.js';
import { Module } from '../../nn/module.js';

export class PlantedMlp extends Module {
  readonly layers: Linear[] = [];

  constructor(
    readonly widths: readonly number[],
    readonly pruneBias = false,
  ) {
    super();
    if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1))
      throw new RangeError(`bad MLP widths [${widths.join(', ')}]`);
    for (let l = 1; l < widths.length; l++)
      this.layers.push(this.addModule(`fc${l}`, new Linear(widths[l - 1]!, widths[l]!, true, pruneBias)));
  }

  /** Number of layers counting the input (the paper's "depth"): weight matrices + 1. */
  get depth(): number {
    return this.widths.length;
  }

  get inputShape(): readonly [number] {
    return [this.widths[0]!];
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.forward(h);
      if (i < this.layers.length - 1) h = relu(h);
    });
    return h;
  }
}

/** Widths of a network of the given depth and hidden width: [in, width × (depth − 2), out]. */
export function mlpWidths(inDim: number, outDim: number, depth: number, width: number): number[] {
  return [inDim, ...Array.from({ length: depth - 2 }, () => width), outDim];
}

export const weightName = (l: number): string => `fc${l + 1}.weight`;
export const biasName = (l: number): string => `fc${l + 1}.bias`;
