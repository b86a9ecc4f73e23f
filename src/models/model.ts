// A trainable network of the registry: a module plus what experiments need to know about it.
import { Module } from '../nn/module.js';
import type { InitName } from '../nn/init.js';
import type { DatasetName } from '../data/registry.js';

export abstract class Model extends Module {
  /** The registry name it was built from, e.g. `mnist_lenet_300_100`. */
  abstract readonly name: string;
  abstract readonly dataset: DatasetName;
  /** Shape of one input sample, [C, H, W]. */
  abstract readonly inputShape: readonly [number, number, number];
  abstract readonly numClasses: number;
  /** Dotted name of the output layer's weight (pruned at half rate in the LTH paper). */
  abstract readonly outputWeight: string;
  /** The initializer the model's paper uses for weights. */
  abstract readonly defaultInit: InitName;
}
