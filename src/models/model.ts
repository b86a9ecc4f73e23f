// A trainable network of the registry: a module plus what experiments need to know about it.
import { Module } from '../nn/module.js';
import type { InitName } from '../nn/init.js';

/** The data a model trains on: an image dataset, modular arithmetic, or a text corpus chosen by --dataset. */
export type ModelData = 'mnist' | 'fashion_mnist' | 'cifar10' | 'modular' | 'text';

/** How it is trained: class labels, class labels with the loss in float64, next tokens, or masked tokens. */
export type Objective = 'classify' | 'classify-f64' | 'next-token' | 'masked-token';

export abstract class Model extends Module {
  /** The registry name it was built from, e.g. `mnist_lenet_300_100`. */
  abstract readonly name: string;
  abstract readonly dataset: ModelData;
  /** Shape of one input sample: [C, H, W] for images, [tokens] for sequences. */
  abstract readonly inputShape: readonly number[];
  /** Classes, or the vocabulary size of a language model. */
  abstract readonly numClasses: number;
  /** Dotted name of the output layer's weight (pruned at half rate in the LTH paper). */
  abstract readonly outputWeight: string;
  /** The initializer the model's paper uses for weights. */
  abstract readonly defaultInit: InitName;
  readonly objective: Objective = 'classify';
  /**
   * The layout the model's first layer reads its input in: `feature` when it is a sparse layer, which works on
   * feature-major activations ([features, batch]), so the training loop gathers batches that way instead of
   * transposing each one. Models that take [N, features] inputs flattened as they come may say so; the rest keep
   * `batch`.
   */
  inputLayout(): 'batch' | 'feature' {
    return 'batch';
  }
}
