// The LTH paper's Conv-2/4/6 for CIFAR-10 (Frankle & Carbin 2019, Figure 2): pairs of 3×3 convs (padding 1, ReLU)
// each followed by a 2×2 max-pool — 64,64 | 128,128 | 256,256 — then fc 256, 256, 10 with ReLU.
import type { Tensor } from '../engine/tensor.js';
import { relu } from '../engine/ops/activation.js';
import { maxPool2d } from '../engine/ops/pool.js';
import { flatten } from '../engine/ops/shape.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData } from './model.js';
import { intArgs, type ModelFamily } from './family.js';

/** Depths the paper defines; pair i (0-based) has 64·2^i filters. */
export const CONV_DEPTHS = [2, 4, 6] as const;
export type ConvDepth = (typeof CONV_DEPTHS)[number];

export class ConvNet extends Model {
  readonly dataset: ModelData = 'cifar10';
  readonly inputShape = [3, 32, 32] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'glorot_normal' as const;
  readonly outputWeight = 'fc3.weight';
  private readonly convs: Conv2d[] = [];
  private readonly fcs: Linear[] = [];

  constructor(
    readonly name: string,
    readonly depth: ConvDepth,
  ) {
    super();
    let channels = 3;
    for (let i = 0; i < depth; i++) {
      const out = 64 * 2 ** Math.floor(i / 2);
      this.convs.push(this.addModule(`conv${i + 1}`, new Conv2d(channels, out, 3, { padding: 1 })));
      channels = out;
    }
    const side = 32 / 2 ** (depth / 2);
    const widths = [channels * side * side, 256, 256, this.numClasses];
    for (let i = 1; i < widths.length; i++)
      this.fcs.push(this.addModule(`fc${i}`, new Linear(widths[i - 1]!, widths[i]!)));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.convs.forEach((conv, i) => {
      h = relu(conv.forward(h));
      if (i % 2 === 1) h = maxPool2d(h, 2);
    });
    h = flatten(h);
    this.fcs.forEach((fc, i) => {
      h = fc.forward(h);
      if (i < this.fcs.length - 1) h = relu(h);
    });
    return h;
  }
}

/** The paper's Conv-N settings (Frankle & Carbin 2019, Figure 2): Adam lr, iterations, conv pruning rate. */
const CONV_PAPER: Record<ConvDepth, { lr: number; steps: string; convRate: number }> = {
  2: { lr: 2e-4, steps: '20000it', convRate: 0.1 },
  4: { lr: 3e-4, steps: '25000it', convRate: 0.1 },
  6: { lr: 3e-4, steps: '30000it', convRate: 0.15 },
};

function convDepth(name: string, args: string[]): ConvDepth {
  const [depth] = intArgs(name, args, ['depth'], 1) as [number];
  if (!(CONV_DEPTHS as readonly number[]).includes(depth))
    throw new ConfigError(`${name}: Conv depth must be one of ${CONV_DEPTHS.join(', ')} (the paper's Conv-2/4/6)`);
  return depth as ConvDepth;
}

/**
 * `cifar_conv_2|4|6`: batch 60, fc 20% and output 10% per level, 5,000 validation images. Zero biases, as LeNet's:
 * the paper states no bias init for any network, and the only code its authors released (TensorFlow, LeNet) starts
 * biases at zero, TensorFlow's default for conv and dense layers alike.
 */
export const convFamily: ModelFamily = {
  pattern: /^cifar_conv(_.*)?$/,
  example: 'cifar_conv_2',
  data: 'cifar10',
  build: (name, args) => new ConvNet(name, convDepth(name, args)),
  defaults(name, args) {
    const paper = CONV_PAPER[convDepth(name, args)];
    return {
      init: 'glorot_normal',
      biasInit: 'zeros',
      dataset: { batchSize: 60, validation: 5000 },
      training: { optimizer: 'adam', lr: paper.lr, steps: paper.steps },
      pruning: { strategy: 'layerwise', rate: 0.2, convRate: paper.convRate, outputRate: 0.1 },
    };
  },
};
