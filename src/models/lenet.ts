// LeNet-style fully connected networks for MNIST: 784 → widths… → 10 with ReLU (LeNet-300-100 in the LTH paper).
import type { Tensor } from '../engine/tensor.js';
import { flatten } from '../engine/ops/shape.js';
import { relu } from '../engine/ops/activation.js';
import { Linear } from '../nn/layers/linear.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData } from './model.js';
import { positiveArg, type ModelFamily } from './family.js';

export class LeNet extends Model {
  readonly dataset: ModelData = 'mnist';
  readonly inputShape = [1, 28, 28] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'glorot_normal' as const;
  readonly outputWeight: string;
  private readonly layers: Linear[] = [];

  constructor(
    readonly name: string,
    readonly widths: readonly number[],
  ) {
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

  override inputLayout(): 'batch' | 'feature' {
    const first = this.layers[0]!;
    return first.kernel === 'sparse' && first.weight.masked ? 'feature' : 'batch';
  }

  /** x: [N, 1, 28, 28] or [N, 784] (which may be feature-major, as the training loop gathers it for sparse fc1). */
  forward(x: Tensor): Tensor {
    let h = x.ndim === 2 ? x : flatten(x);
    for (let i = 0; i < this.layers.length; i++) {
      h = this.layers[i]!.forward(h);
      if (i < this.layers.length - 1) h = relu(h);
    }
    return h;
  }
}

function lenetWidths(name: string, args: string[]): number[] {
  if (args.length === 0)
    throw new ConfigError(`model '${name}': give at least one layer width, e.g. mnist_lenet_300_100`);
  return args.map((a) => positiveArg(name, a, 'layer width', 100_000));
}

/**
 * `mnist_lenet_<widths>`, e.g. `mnist_lenet_300_100`. Defaults: the LTH paper's LeNet-300-100 (Frankle & Carbin
 * 2019, Figure 2): Adam 1.2e-3, batch 60, 50K iterations, fc 20% / output 10% per level, 5,000 validation images
 * (drawn at random, as its appendix says). Zero biases: the paper does not say, and its authors' reference code starts every
 * bias at zero and never presets one (only weights are reset or redrawn).
 */
export const lenetFamily: ModelFamily = {
  pattern: /^mnist_lenet(_.*)?$/,
  example: 'mnist_lenet_300_100',
  data: 'mnist',
  build: (name, args) => new LeNet(name, lenetWidths(name, args)),
  defaults(name, args) {
    lenetWidths(name, args); // checks the name as build does
    return {
      init: 'glorot_normal',
      biasInit: 'zeros',
      dataset: { batchSize: 60, validation: 5000 },
      training: { optimizer: 'adam', lr: 1.2e-3, steps: '50000it' },
      pruning: { strategy: 'layerwise', rate: 0.2, outputRate: 0.1 },
    };
  },
};
