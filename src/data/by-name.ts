// Loads the dataset a model was built for.
import type { DatasetName } from '../models/model.js';
import type { ImageDataset } from './dataset.js';
import { loadMnist } from './mnist.js';
import { loadCifar10 } from './cifar10.js';

export function loadDataset(name: DatasetName, dataDir?: string): { train: ImageDataset; test: ImageDataset } {
  switch (name) {
    case 'mnist':
      return loadMnist({ dataDir });
    case 'cifar10':
      return loadCifar10({ dataDir });
  }
}
