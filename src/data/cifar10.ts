// CIFAR-10 from the standard binary distribution (cifar-10-binary.tar.gz): each record is one label byte followed
// by 3072 pixel bytes, the 32×32 red plane, then green, then blue, which is already CHW.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../util/errors.js';
import { ImageDataset } from './dataset.js';
import { fileSize, readPrefix } from './read-file.js';

export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.247, 0.2435, 0.2616] as const;
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
export const CIFAR10_TEST_FILE = 'test_batch.bin';
const SIDE = 32;
const PIXELS = 3 * SIDE * SIDE;
const RECORD = 1 + PIXELS;
const CLASSES = 10;
/** Largest total of batch files read at once (2 GiB); the real CIFAR-10 training set is 154 MB. */
const MAX_CIFAR_BYTES = 2 ** 31 - 1;

export interface Cifar10Options {
  dataDir?: string;
}

const notBundled =
  'CIFAR-10 is not bundled with ticketlab: download the binary version (cifar-10-binary.tar.gz) from ' +
  'https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and pass its folder with --data-dir';

export function loadCifar10(opts: Cifar10Options = {}): { train: ImageDataset; test: ImageDataset } {
  const dir = findDir(opts.dataDir);
  return {
    train: readCifarBatches(
      CIFAR10_TRAIN_FILES.map((f) => join(dir, f)),
      'cifar10/train',
    ),
    test: readCifarBatches([join(dir, CIFAR10_TEST_FILE)], 'cifar10/test'),
  };
}

// The directory itself or its cifar-10-batches-bin/ subfolder, whichever holds all six files.
function findDir(dataDir: string | undefined): string {
  const expected = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].join(', ');
  if (dataDir === undefined) throw new DataError(`${notBundled}. Expected files: ${expected}`);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new DataError(`CIFAR-10 data directory not found: ${dataDir}. ${notBundled}. Expected files: ${expected}`);
  }
  const candidates = [dataDir, join(dataDir, 'cifar-10-batches-bin')];
  for (const dir of candidates) {
    if ([...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].every((f) => existsSync(join(dir, f)))) return dir;
  }
  const dir = candidates.find((d) => existsSync(d) && statSync(d).isDirectory() && d !== dataDir) ?? dataDir;
  const missing = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].filter((f) => !existsSync(join(dir, f)));
  throw new DataError(
    `CIFAR-10 files missing in ${dir}: ${missing.join(', ')}. ${notBundled}. Expected files: ${expected}`,
  );
}

/** Parse CIFAR-10 binary batch files into one dataset. */
export function readCifarBatches(paths: readonly string[], name: string): ImageDataset {
  // Sizes first, so a wrong file (a whole disk image, a directory) is refused before anything is read.
  let total = 0;
  const sizes = paths.map((p) => {
    const size = fileSize(p, MAX_CIFAR_BYTES, `CIFAR-10 batch file not found: ${p}. ${notBundled}`);
    if (size === 0 || size % RECORD !== 0) throw notBatch(p, size);
    total += size;
    if (total > MAX_CIFAR_BYTES)
      throw new DataError(
        `${p}: the CIFAR-10 batches add up to more than ${MAX_CIFAR_BYTES} bytes; is --data-dir the right folder?`,
      );
    return size;
  });
  const n = total / RECORD;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  let k = 0;
  paths.forEach((p, f) => {
    const buf = readPrefix(p, sizes[f]!);
    if (buf.length !== sizes[f])
      throw new DataError(`${p} changed while it was being read (${sizes[f]} bytes, then ${buf.length}); try again`);
    for (let r = 0; r < buf.length; r += RECORD, k++) {
      const label = buf[r]!;
      if (label >= CLASSES)
        throw new DataError(`${p}: record ${r / RECORD} has label ${label}; CIFAR-10 labels are 0..9`);
      labels[k] = label;
      images.set(buf.subarray(r + 1, r + RECORD), k * PIXELS);
    }
  });
  return new ImageDataset({
    images,
    labels,
    shape: [3, SIDE, SIDE],
    numClasses: CLASSES,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    name,
  });
}

function notBatch(path: string, size: number): DataError {
  return new DataError(
    `${path} is not a CIFAR-10 binary batch: its ${size} bytes are not a whole number of ${RECORD}-byte records (truncated download?)`,
  );
}

/** Write a CIFAR-10 binary batch: `images` holds n×3072 bytes (CHW per sample). */
export function writeCifarBatch(path: string, images: Uint8Array, labels: ArrayLike<number>): void {
  const n = labels.length;
  if (images.length !== n * PIXELS)
    throw new RangeError(`${n} labels need ${n * PIXELS} pixel bytes, got ${images.length}`);
  const out = new Uint8Array(n * RECORD);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l > 255) throw new RangeError(`label ${l} does not fit a byte`);
    out[i * RECORD] = l;
    out.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), i * RECORD + 1);
  }
  writeFileSync(path, out);
}

/** Normalized value of a black pixel for CIFAR-10's per-channel normalization. */
export const CIFAR10_ZERO: readonly number[] = CIFAR10_MEAN.map((m, c) => Math.fround(-m / CIFAR10_STD[c]));
