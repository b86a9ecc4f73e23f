// OpenLTH's CIFAR VGG (its cifar_vgg model): 3×3 conv (padding 1, with bias) → BatchNorm → ReLU blocks,
// 2×2 max-pools at torchvision's positions minus the last one, so a 32×32 input leaves 512×2×2; then a 2×2
// average pool and one fc 512 → 10. Names match OpenLTH's state dict: `layers.<i>.conv.weight`, where i also
// counts the pools, and `fc.weight`.
import type { Tensor } from '../engine/tensor.js';
import { relu } from '../engine/ops/activation.js';
import { avgPool2d } from '../engine/ops/pool.js';
import { flatten } from '../engine/ops/shape.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { Linear } from '../nn/layers/linear.js';
import { MaxPool2d } from '../nn/layers/simple.js';
import { Sequential } from '../nn/layers/sequential.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData } from './model.js';
import { intArgs, type ModelFamily } from './family.js';

type Plan = readonly (number | 'M')[];

export const VGG_PLANS: Readonly<Record<11 | 13 | 16 | 19, Plan>> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512],
};
export type VggDepth = keyof typeof VGG_PLANS;

/** conv → BN → ReLU. */
class ConvBlock extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;
  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv = this.addModule('conv', new Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    this.bn = this.addModule('bn', new BatchNorm(outChannels));
  }
  forward(x: Tensor): Tensor {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}

export class Vgg extends Model {
  readonly dataset: ModelData = 'cifar10';
  readonly inputShape = [3, 32, 32] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'kaiming_normal' as const;
  readonly outputWeight = 'fc.weight';
  private readonly layers: Sequential;
  private readonly fc: Linear;

  constructor(
    readonly name: string,
    readonly depth: VggDepth,
  ) {
    super();
    this.layers = this.addModule('layers', new Sequential());
    let channels = 3;
    VGG_PLANS[depth].forEach((spec, i) => {
      if (spec === 'M') {
        this.layers.append(String(i), new MaxPool2d(2));
      } else {
        this.layers.append(String(i), new ConvBlock(channels, spec));
        channels = spec;
      }
    });
    this.fc = this.addModule('fc', new Linear(channels, this.numClasses));
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(flatten(avgPool2d(this.layers.forward(x), 2)));
  }
}

function vggDepth(name: string, args: string[]): VggDepth {
  const [depth] = intArgs(name, args, ['depth'], 1) as [number];
  if (!(depth in VGG_PLANS))
    throw new ConfigError(`${name}: VGG depth must be one of ${Object.keys(VGG_PLANS).join(', ')}`);
  return depth as VggDepth;
}

/**
 * `cifar_vgg_11|13|16|19`. Defaults: Frankle et al. 2020 (OpenLTH's cifar_vgg): SGD 0.1, momentum 0.9, weight decay
 * 1e-4, batch 64, 112K iterations with ×0.1 at 50% and 75%, augmentation, global pruning of 20% per level that
 * leaves the output layer out; 5,000 validation images.
 */
export const vggFamily: ModelFamily = {
  pattern: /^cifar_vgg(_.*)?$/,
  example: 'cifar_vgg_16',
  data: 'cifar10',
  build: (name, args) => new Vgg(name, vggDepth(name, args)),
  defaults(name, args) {
    vggDepth(name, args); // checks the name as build does
    return {
      init: 'kaiming_normal',
      dataset: { batchSize: 64, augment: true, validation: 5000 },
      training: {
        optimizer: 'sgd',
        lr: 0.1,
        steps: '112000it',
        momentum: 0.9,
        weightDecay: 1e-4,
        milestones: ['56000it', '84000it'],
      },
      pruning: { strategy: 'global', rate: 0.2, convRate: 0.2, outputRate: 0.2, ignore: ['fc.weight'] },
    };
  },
};
