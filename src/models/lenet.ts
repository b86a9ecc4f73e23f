// LeNet-style fully connected networks for MNIST: 784 → widths… → 10 with ReLU (LeNet-300-100 in the LTH paper).
import type { Tensor } from '../engine/tensor.js';
import { flatten } from '../engine/ops/shape.js';
import { relu } from '../engine/ops/activation.js';
import { Linear } from '../nn/layers/linear.js';
import { Model, type DatasetName } from './model.js';

export class LeNet extends Model {
  readonly dataset: DatasetName = 'mnist';
  readonly inputShape = [1, 28, 28] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'glorot_normal' as const;
  readonly outputWeight: string;
  private readonly layers: Linear[] = [];

  constructor(readonly name: string, readonly widths: readonly number[]) {
    super();
    let prev = 28 * 28;
    widths.forEach((w, i) => {
      this.layers.push(this.addModule(`fc${i + 1}`, new Linear(prev, w)));
      prev = w;
    });
    const out = `fc${widths.length + 1}`;
    this.layers.push(this.addModule(out, new Linear(prev, this.numClasses)));
    this.outputWeight = `${out}.weight`;
  }

  forward(x: Tensor): Tensor {
    let h = x.ndim === 2 ? x : flatten(x);
    for (let i = 0; i < this.layers.length; i++) {
      h = this.layers[i]!.forward(h);
      if (i < this.layers.length - 1) h = relu(h);
    }
    return h;
  }
}
