// The CIFAR-10 model families (Conv-N, VGG, ResNet) as registry entries, and the layer kinds that the LTH paper's
// per-kind pruning rates need. Kept apart from registry.ts so that file only lists families.
import { ConfigError } from '../util/errors.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import type { Model } from './model.js';
import { ConvNet, CONV_DEPTHS, type ConvDepth } from './conv.js';
import { Vgg, VGG_PLANS, type VggDepth } from './vgg.js';
import { CifarResNet, isResNetDepth } from './resnet.js';

/** Same shape as the registry's family entries. */
export interface ModelFamily {
  pattern: RegExp;
  example: string;
  build(name: string, args: string[]): Model;
}

const MAX_ARG = 10_000;

/** Parses `args` as `min..max` positive integers, naming `what` in errors. */
function intArgs(name: string, args: string[], what: readonly string[], min: number): number[] {
  if (args.length < min || args.length > what.length) {
    const form = what.map((w, i) => (i < min ? `_<${w}>` : `[_<${w}>]`)).join('');
    throw new ConfigError(`${name}: expected ${name.split('_').slice(0, 2).join('_')}${form}`);
  }
  return args.map((a, i) => {
    if (!/^[1-9][0-9]*$/.test(a)) throw new ConfigError(`${name}: ${what[i]} must be a positive integer, got '${a}'`);
    const n = Number(a);
    if (n > MAX_ARG) throw new ConfigError(`${name}: ${what[i]} ${n} is too large (at most ${MAX_ARG})`);
    return n;
  });
}

const RESNET_DEPTHS_HINT = '8, 14, 20, 32, 44, 56, 110';

export const CIFAR_FAMILIES: readonly ModelFamily[] = [
  {
    pattern: /^cifar_conv(_.*)?$/,
    example: 'cifar_conv_2',
    build(name, args) {
      const [depth] = intArgs(name, args, ['depth'], 1) as [number];
      if (!(CONV_DEPTHS as readonly number[]).includes(depth))
        throw new ConfigError(`${name}: Conv depth must be one of ${CONV_DEPTHS.join(', ')} (the paper's Conv-2/4/6)`);
      return new ConvNet(name, depth as ConvDepth);
    },
  },
  {
    pattern: /^cifar_vgg(_.*)?$/,
    example: 'cifar_vgg_16',
    build(name, args) {
      const [depth] = intArgs(name, args, ['depth'], 1) as [number];
      if (!(depth in VGG_PLANS)) throw new ConfigError(`${name}: VGG depth must be one of ${Object.keys(VGG_PLANS).join(', ')}`);
      return new Vgg(name, depth as VggDepth);
    },
  },
  {
    pattern: /^cifar_resnet(_.*)?$/,
    example: 'cifar_resnet_20',
    build(name, args) {
      const [depth, width = 16] = intArgs(name, args, ['depth', 'width'], 1) as [number, number?];
      if (!isResNetDepth(depth)) throw new ConfigError(`${name}: depth must be 6n+2 (${RESNET_DEPTHS_HINT})`);
      return new CifarResNet(name, depth, width);
    },
  },
];

export type LayerKind = 'conv' | 'fc' | 'output';

/**
 * The kind of every prunable weight, by dotted name in parameter order: conv weights, fully connected weights,
 * and the model's output weight (which the LTH paper prunes at half rate). Works for any model built from
 * Conv2d and Linear layers (LeNet included); a prunable weight of another layer type is an error rather than a guess.
 */
export function layerKinds(model: Model): Map<string, LayerKind> {
  const byModule = new Map<string, LayerKind>();
  const walk = (m: Module, prefix: string): void => {
    if (m instanceof Conv2d) byModule.set(`${prefix}weight`, 'conv');
    else if (m instanceof Linear) byModule.set(`${prefix}weight`, 'fc');
    for (const [n, c] of m.children()) walk(c, `${prefix}${n}.`);
  };
  walk(model, '');
  const kinds = new Map<string, LayerKind>();
  for (const [name] of model.prunableParameters()) {
    const kind = byModule.get(name);
    if (!kind) throw new Error(`layerKinds: prunable weight '${name}' is not a conv or linear weight`);
    kinds.set(name, name === model.outputWeight ? 'output' : kind);
  }
  if (!kinds.has(model.outputWeight)) throw new Error(`layerKinds: output weight '${model.outputWeight}' is not a prunable weight of ${model.name}`);
  return kinds;
}
