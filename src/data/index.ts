// The data layer: file formats, in-memory datasets, batch order and augmentation.
export { readIdx, writeIdx, encodeIdx, type IdxFile, type IdxKind } from './idx.js';
export { ImageDataset, type ImageDatasetInit, type Batch, type Norm } from './dataset.js';
export { BatchSampler, type SamplerOptions, type SamplerState } from './sampler.js';
export { loadMnist, defaultMnistDir, MNIST_MEAN, MNIST_STD, type MnistOptions } from './mnist.js';
export {
  loadCifar10,
  readCifarBatches,
  writeCifarBatch,
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_ZERO,
  CIFAR10_TRAIN_FILES,
  CIFAR10_TEST_FILE,
  type Cifar10Options,
} from './cifar10.js';
export { augmentBatch, type AugmentOptions } from './augment.js';
export { loadDataset, type DatasetName } from './registry.js';
export { TensorDataset } from './tensor-dataset.js';
export type { Dataset, Targets } from './types.js';
