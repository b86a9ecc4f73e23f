// He et al.'s CIFAR ResNet as OpenLTH builds it (its cifar_resnet model): conv 3×3 → BN → ReLU, three
// stages of n basic blocks with widths W, 2W, 4W (depth 6n+2), global average pool, fc → 10. Convs have no
// bias (BN follows). A stage's first block halves the resolution and projects its shortcut with a 1×1 stride-2
// conv + BN (OpenLTH's "option B"). Names: `conv.weight`, `blocks.<k>.conv1.weight`, `blocks.<k>.shortcut.0.weight`,
// `fc.weight`, with k counting blocks across stages.
import type { Tensor } from '../engine/tensor.js';
import { relu } from '../engine/ops/activation.js';
import { add } from '../engine/ops/arith.js';
import { globalAvgPool } from '../engine/ops/pool.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { Linear } from '../nn/layers/linear.js';
import { Sequential } from '../nn/layers/sequential.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData } from './model.js';
import { intArgs, type ModelFamily } from './family.js';

/** conv-BN-ReLU-conv-BN plus the shortcut, then ReLU. */
class BasicBlock extends Module {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm;
  private readonly shortcut: Sequential | null;

  constructor(inChannels: number, outChannels: number, downsample: boolean) {
    super();
    const stride = downsample ? 2 : 1;
    this.conv1 = this.addModule('conv1', new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.addModule('bn1', new BatchNorm(outChannels));
    this.conv2 = this.addModule('conv2', new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }));
    this.bn2 = this.addModule('bn2', new BatchNorm(outChannels));
    this.shortcut =
      downsample || inChannels !== outChannels
        ? this.addModule(
            'shortcut',
            new Sequential([
              new Conv2d(inChannels, outChannels, 1, { stride, bias: false }),
              new BatchNorm(outChannels),
            ]),
          )
        : null;
  }

  forward(x: Tensor): Tensor {
    const h = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(add(h, this.shortcut ? this.shortcut.forward(x) : x));
  }
}

/** Depths of the form 6n+2 with n ≥ 1. */
export function isResNetDepth(depth: number): boolean {
  return Number.isInteger(depth) && depth >= 8 && (depth - 2) % 6 === 0;
}

export class CifarResNet extends Model {
  readonly dataset: ModelData = 'cifar10';
  readonly inputShape = [3, 32, 32] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'kaiming_normal' as const;
  readonly outputWeight = 'fc.weight';
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm;
  private readonly blocks: Sequential;
  private readonly fc: Linear;

  constructor(
    readonly name: string,
    readonly depth: number,
    readonly width = 16,
  ) {
    super();
    if (!isResNetDepth(depth)) throw new RangeError(`ResNet depth must be 6n+2 with n ≥ 1, got ${depth}`);
    if (!Number.isInteger(width) || width < 1)
      throw new RangeError(`ResNet width must be a positive integer, got ${width}`);
    const n = (depth - 2) / 6;
    this.conv = this.addModule('conv', new Conv2d(3, width, 3, { padding: 1, bias: false }));
    this.bn = this.addModule('bn', new BatchNorm(width));
    this.blocks = this.addModule('blocks', new Sequential());
    let channels = width;
    for (let stage = 0; stage < 3; stage++) {
      const out = width * 2 ** stage;
      for (let b = 0; b < n; b++) {
        this.blocks.append(String(stage * n + b), new BasicBlock(channels, out, stage > 0 && b === 0));
        channels = out;
      }
    }
    this.fc = this.addModule('fc', new Linear(channels, this.numClasses));
  }

  forward(x: Tensor): Tensor {
    const h = this.blocks.forward(relu(this.bn.forward(this.conv.forward(x))));
    return this.fc.forward(globalAvgPool(h));
  }
}

function resnetShape(name: string, args: string[]): { depth: number; width: number } {
  const [depth, width = 16] = intArgs(name, args, ['depth', 'width'], 1) as [number, number?];
  if (!isResNetDepth(depth)) throw new ConfigError(`${name}: depth must be 6n+2 (8, 14, 20, 32, 44, 56, 110)`);
  return { depth, width };
}

/**
 * `cifar_resnet_<6n+2>[_<width>]`. Schedule: the LTH paper's (Frankle & Carbin 2019, Figure 2 and Section 4, p. 8: its
 * "Resnet-18" is this 16/32/64 network): SGD 0.1, momentum 0.9, batch 128, 30K iterations, ×0.1 at 20K and 25K.
 * The later papers and OpenLTH's cifar_resnet_20 train 160 epochs with drops at 80 and 120 (50%/75%, about 63K
 * iterations); we keep the LTH paper's, the one whose length we use. Weight decay 1e-4, augmentation and global
 * pruning of 20% per level that leaves the output layer out follow OpenLTH; 5,000 validation images.
 */
export const resnetFamily: ModelFamily = {
  pattern: /^cifar_resnet(_.*)?$/,
  example: 'cifar_resnet_20',
  data: 'cifar10',
  build(name, args) {
    const { depth, width } = resnetShape(name, args);
    return new CifarResNet(name, depth, width);
  },
  defaults(name, args) {
    resnetShape(name, args); // checks the name as build does
    return {
      init: 'kaiming_normal',
      dataset: { batchSize: 128, augment: true, validation: 5000 },
      training: {
        optimizer: 'sgd',
        lr: 0.1,
        steps: '30000it',
        momentum: 0.9,
        weightDecay: 1e-4,
        milestones: ['20000it', '25000it'], // Frankle & Carbin 2019, Section 4 (p. 8): "at 20,000 and 25,000 iterations"
      },
      pruning: { strategy: 'global', rate: 0.2, convRate: 0.2, outputRate: 0.2, ignore: ['fc.weight'] },
      earlier: { training: { milestones: ['15000it', '22500it'] } }, // 50%/75% of 30K, until the LTH paper's
    };
  },
};
