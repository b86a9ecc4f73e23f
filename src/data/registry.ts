// Datasets by name: the one a model was built for is loaded from the bundled copy or from --data-dir.
import type { ImageDataset } from './dataset.js';
import { loadMnist } from './mnist.js';
import { loadCifar10 } from './cifar10.js';
import { loadFashionMnist } from './fashion-mnist.js';

const DATASETS = {
  mnist: (dataDir?: string) => loadMnist({ dataDir }),
  fashion_mnist: (dataDir?: string) => loadFashionMnist({ dataDir }),
  cifar10: (dataDir?: string) => loadCifar10({ dataDir }),
} as const;

export type DatasetName = keyof typeof DATASETS;

export function loadDataset(name: DatasetName, dataDir?: string): { train: ImageDataset; test: ImageDataset } {
  return DATASETS[name](dataDir);
}
