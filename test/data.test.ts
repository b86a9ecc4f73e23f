import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/engine/rng.js';
import { ConfigError, DataError } from '../src/util/errors.js';
import { BatchSampler } from '../src/data/sampler.js';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  loadCifar10,
  writeCifarBatch,
} from '../src/data/cifar10.js';
import { ImageDataset } from '../src/data/dataset.js';
import { MNIST_MEAN, MNIST_STD, loadMnist } from '../src/data/mnist.js';
import { augmentBatch } from '../src/data/augment.js';
import { encodeIdx, readIdx, writeIdx } from '../src/data/idx.js';

const tmp = mkdtempSync(join(tmpdir(), 'ticketlab-data-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => {
  const d = join(tmp, `d${dirCount++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const bytes = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i) & 255);

/** Assert that fn throws a DataError whose message matches every pattern. */
function throwsData(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected DataError, got ${String(err)}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

const close = (a: number, b: number, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// ---------------------------------------------------------------- IDX

test('IDX round trip, plain and gzipped', () => {
  const dir = freshDir();
  const images = bytes(2 * 3 * 4, (i) => i * 7);
  const labels = bytes(2, (i) => i + 3);
  for (const suffix of ['', '.gz']) {
    writeIdx(join(dir, `img${suffix}`), [2, 3, 4], images);
    writeIdx(join(dir, `lab${suffix}`), [2], labels);
    const im = readIdx(join(dir, `img${suffix}`), 'images');
    assert.deepEqual(im.dims, [2, 3, 4]);
    assert.deepEqual([...im.data], [...images]);
    const lb = readIdx(join(dir, `lab${suffix}`), 'labels');
    assert.deepEqual(lb.dims, [2]);
    assert.deepEqual([...lb.data], [3, 4]);
  }
  // Plain file: the data is a view into the file's bytes, starting right after the 16-byte header.
  const im = readIdx(join(dir, 'img'), 'images');
  assert.equal(im.data.byteLength, 24);
  assert.equal(im.data.buffer.byteLength >= 40, true);
  assert.equal(readFileSync(join(dir, 'img')).readUInt32BE(0), 0x803);
});

test('IDX validation errors name the problem', () => {
  const dir = freshDir();
  const good = encodeIdx(
    [2, 3, 4],
    bytes(24, (i) => i),
  );
  const p = (name: string, data: Uint8Array): string => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };

  throwsData(() => readIdx(join(dir, 'nope-idx3-ubyte'), 'images'), /not found/, /nope-idx3-ubyte/, /--data-dir/);

  const badMagic = good.slice();
  badMagic[0] = 0x12;
  throwsData(() => readIdx(p('magic', badMagic), 'images'), /magic number 0x12000803/, /expected 0x00000803/);

  // A labels file where images are expected: the magic (dimension count) is wrong.
  const labels = p(
    'labels',
    encodeIdx(
      [24],
      bytes(24, () => 1),
    ),
  );
  throwsData(() => readIdx(labels, 'images'), /magic number 0x00000801/, /expected 0x00000803/, /labels file/);

  const badDtype = good.slice();
  badDtype[2] = 0x0d;
  throwsData(() => readIdx(p('dtype', badDtype), 'images'), /dtype 0x0d \(float32\)/, /only unsigned bytes/);

  throwsData(
    () => readIdx(p('trunc', good.subarray(0, good.length - 5)), 'images'),
    /truncated/,
    /need 40 bytes/,
    /has 35/,
  );
  const long = new Uint8Array(good.length + 3);
  long.set(good);
  throwsData(() => readIdx(p('long', long), 'images'), /too long/, /need 40 bytes/, /has 43/);
  throwsData(() => readIdx(p('header', good.subarray(0, 10)), 'images'), /truncated/, /header needs 16 bytes/);
  throwsData(() => readIdx(p('tiny', good.subarray(0, 2)), 'labels'), /not an IDX file/);
  throwsData(() => readIdx(p('badgz.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3])), 'labels'), /gzipped/);
});

// ---------------------------------------------------------------- MNIST

test('MNIST from the bundled package', () => {
  const { train, test: t } = loadMnist();
  assert.equal(train.size, 60000);
  assert.equal(t.size, 10000);
  assert.deepEqual(train.shape, [1, 28, 28]);
  assert.deepEqual(t.shape, [1, 28, 28]);
  assert.equal(train.images.length, 60000 * 784);
  assert.equal(train.images.byteOffset, 16, 'pixels are a view of the file, right after its header');
  assert.equal(train.numClasses, 10);
  assert.equal(train.labels[0], 5); // the famous first MNIST digit
  assert.equal(t.labels[0], 7);
  assert.equal(train.mean, MNIST_MEAN);
  assert.equal(train.std, MNIST_STD);

  // Normalization of known pixels of the first two training images.
  const { x, y } = train.batch(Int32Array.from([0, 1]));
  assert.deepEqual([...y], [5, 0]);
  assert.equal(x.length, 2 * 784);
  close(x[0]!, (0 - 0.1307) / 0.3081);
  let checked = 0;
  for (let j = 0; j < 784 * 2; j++) {
    const px = train.images[j]!;
    close(x[j]!, (px / 255 - 0.1307) / 0.3081);
    if (px === 255) {
      close(x[j]!, (1 - 0.1307) / 0.3081);
      checked++;
    }
  }
  assert.ok(checked > 0, 'some saturated pixels');
  // Means over the training set match the standard constants.
  let sum = 0;
  for (let j = 0; j < train.images.length; j++) sum += train.images[j]!;
  close(sum / train.images.length / 255, 0.1307, 1e-4);
});

test('MNIST from a directory: gz files, count mismatch, missing files', () => {
  const dir = freshDir();
  const img = bytes(3 * 784, (i) => i);
  writeIdx(join(dir, 'train-images-idx3-ubyte.gz'), [3, 28, 28], img);
  writeIdx(join(dir, 'train-labels-idx1-ubyte.gz'), [3], Uint8Array.from([1, 2, 3]));
  writeIdx(join(dir, 't10k-images-idx3-ubyte'), [2, 28, 28], img.subarray(0, 2 * 784));
  writeIdx(join(dir, 't10k-labels-idx1-ubyte'), [2], Uint8Array.from([9, 0]));
  const { train, test: t } = loadMnist({ dataDir: dir });
  assert.equal(train.size, 3);
  assert.deepEqual([...train.labels], [1, 2, 3]);
  assert.deepEqual([...t.labels], [9, 0]);
  assert.deepEqual([...train.images], [...img]);

  writeIdx(join(dir, 't10k-labels-idx1-ubyte'), [3], Uint8Array.from([9, 0, 1]));
  throwsData(() => loadMnist({ dataDir: dir }), /2 images/, /3 labels/, /do not belong together/);

  writeIdx(join(dir, 't10k-labels-idx1-ubyte'), [2], Uint8Array.from([9, 10]));
  throwsData(() => loadMnist({ dataDir: dir }), /t10k-labels-idx1-ubyte: label 10 of example 1/, /outside \[0, 10\)/);

  writeIdx(join(dir, 't10k-images-idx3-ubyte'), [0, 28, 28], new Uint8Array(0));
  writeIdx(join(dir, 't10k-labels-idx1-ubyte'), [0], new Uint8Array(0));
  throwsData(() => loadMnist({ dataDir: dir }), /t10k-images-idx3-ubyte holds no images/);

  writeIdx(
    join(dir, 't10k-images-idx3-ubyte'),
    [1, 28, 56],
    bytes(28 * 56, () => 0),
  );
  throwsData(() => loadMnist({ dataDir: dir }), /28×56/, /28×28/);

  rmSync(join(dir, 't10k-images-idx3-ubyte'));
  throwsData(() => loadMnist({ dataDir: dir }), /t10k-images-idx3-ubyte/, /\.gz/, /--data-dir/);
  throwsData(() => loadMnist({ dataDir: join(dir, 'missing') }), /not found/, /--data-dir/);
});

// ---------------------------------------------------------------- ImageDataset

function tinyDataset(n = 20, shape: [number, number, number] = [1, 2, 2]): ImageDataset {
  const D = shape[0] * shape[1] * shape[2];
  return new ImageDataset({
    images: bytes(n * D, (i) => Math.floor(i / D) * 4 + (i % D)), // sample k starts with pixel 4k (n <= 64)
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    shape,
    numClasses: 3,
    mean: 0.5,
    std: 0.25,
    name: 'tiny',
  });
}

test('ImageDataset batch, buffers and validation', () => {
  const ds = tinyDataset();
  const { x, y } = ds.batch(Int32Array.from([3, 0]));
  assert.deepEqual([...y], [0, 0]);
  const want = [12, 13, 14, 15, 0, 1, 2, 3].map((p) => Math.fround((p / 255 - 0.5) / 0.25));
  want.forEach((v, i) => close(x[i]!, v));

  // Reused, larger buffers come back as exact-length views.
  const out = { x: new Float32Array(4 * 4), y: new Int32Array(4) };
  const b = ds.batch(Int32Array.from([5]), out);
  assert.equal(b.x.length, 4);
  assert.equal(b.x.buffer, out.x.buffer);
  assert.equal(b.y[0], 2);
  assert.throws(() => ds.batch(Int32Array.from([0, 1, 2, 3, 4]), out), RangeError);
  assert.throws(() => ds.batch(Int32Array.from([20])), RangeError);

  throwsData(
    () =>
      new ImageDataset({
        images: new Uint8Array(8),
        labels: Int32Array.from([0, 3]),
        shape: [1, 2, 2],
        numClasses: 3,
        mean: 0,
        std: 1,
      }),
    /label 3 of example 1/,
    /\[0, 3\)/,
  );
  throwsData(
    () =>
      new ImageDataset({
        images: new Uint8Array(7),
        labels: Int32Array.from([0, 1]),
        shape: [1, 2, 2],
        numClasses: 3,
        mean: 0,
        std: 1,
      }),
    /need 8 pixel bytes/,
  );
  throwsData(
    () =>
      new ImageDataset({
        images: new Uint8Array(8),
        labels: Int32Array.from([0]),
        shape: [2, 2, 2],
        numClasses: 3,
        mean: [0, 0, 0],
        std: 1,
      }),
    /3 values for 2 channels/,
  );
});

test('ImageDataset gathers feature-major batches: the transpose of the batch-major one, bit for bit', () => {
  const rng = new Rng(4, 'fm');
  // 8x8 register blocks and their tails: batch sizes around 8, rows not a multiple of 8, one and three channels.
  for (const [C, H, W] of [
    [1, 28, 28],
    [3, 5, 3],
  ] as const) {
    const D = C * H * W;
    const size = 40;
    const ds = new ImageDataset({
      images: Uint8Array.from({ length: size * D }, () => rng.int(256)),
      labels: Int32Array.from({ length: size }, () => rng.int(10)),
      shape: [C, H, W],
      numClasses: 10,
      mean: C === 1 ? 0.13 : [0.4, 0.5, 0.6],
      std: C === 1 ? 0.31 : [0.2, 0.3, 0.25],
    });
    for (const n of [1, 7, 8, 9, 17, 33]) {
      const ids = Int32Array.from({ length: n }, () => rng.int(size));
      const rows = ds.batch(ids);
      const cols = ds.batch(ids, { x: new Float32Array(n * D), y: new Int32Array(n) }, true);
      assert.deepEqual([...cols.y], [...rows.y]);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < D; j++)
          assert.ok(Object.is(cols.x[j * n + i], rows.x[i * D + j]), `C${C} n${n}: sample ${i} feature ${j}`);
    }
  }
});

test('split is seeded, disjoint and complete; subsets share nothing', () => {
  const ds = tinyDataset(50);
  const a = ds.split(12, 7);
  const b = ds.split(12, 7);
  const c = ds.split(12, 8);
  assert.equal(a.validation.size, 12);
  assert.equal(a.train.size, 38);
  // Each sample's first pixel is 4 * its original index, which identifies it.
  const ids = (d: ImageDataset): number[] => Array.from({ length: d.size }, (_, i) => d.images[i * 4]! / 4);
  assert.deepEqual(ids(a.validation), ids(b.validation));
  assert.notDeepEqual(ids(a.validation), ids(c.validation));
  const all = [...ids(a.train), ...ids(a.validation)].sort((p, q) => p - q);
  assert.deepEqual(
    all,
    Array.from({ length: 50 }, (_, i) => i),
  );
  const v = new Set(ids(a.validation));
  assert.ok(
    ids(a.train).every((i) => !v.has(i)),
    'disjoint',
  );
  // Labels travel with their images.
  for (let i = 0; i < a.train.size; i++) assert.equal(a.train.labels[i], ids(a.train)[i]! % 3);

  a.train.images[0] = 255;
  a.train.labels[0] = 2;
  assert.equal(ds.images[0], 0);
  assert.equal(ds.labels[0], 0);
  assert.throws(() => ds.split(0, 1), ConfigError);
  assert.throws(() => ds.split(50, 1), ConfigError);
});

// ---------------------------------------------------------------- BatchSampler

const drain = (s: BatchSampler, k: number): number[][] => Array.from({ length: k }, () => [...s.next()]);

test('BatchSampler: determinism, epoch coverage, last batch', () => {
  const s1 = new BatchSampler(103, 10, 42);
  const s2 = new BatchSampler(103, 10, 42);
  const s3 = new BatchSampler(103, 10, 43);
  assert.equal(s1.iterationsPerEpoch, 11);
  const e1 = drain(s1, 22);
  assert.deepEqual(e1, drain(s2, 22));
  assert.notDeepEqual(e1, drain(s3, 22));
  assert.equal(s1.epoch, 2);
  for (const epoch of [e1.slice(0, 11), e1.slice(11)]) {
    assert.equal(epoch.at(-1)!.length, 3);
    assert.deepEqual(
      epoch.flat().sort((a, b) => a - b),
      Array.from({ length: 103 }, (_, i) => i),
    );
  }
  assert.notDeepEqual(e1.slice(0, 11).flat(), e1.slice(11).flat(), 'reshuffled every epoch');

  const d = new BatchSampler(103, 10, 42, { dropLast: true });
  assert.equal(d.iterationsPerEpoch, 10);
  const de = drain(d, 10);
  assert.ok(de.every((b) => b.length === 10));
  assert.equal(d.epoch, 1);
  assert.equal(new Set(de.flat()).size, 100);
  // LeNet's 55,000 training images at batch 60: training keeps the last 40-image batch, as the LTH reference code's
  // tf.data batching does (reshuffled each epoch, remainder kept); dropping it would give 916 batches.
  assert.equal(new BatchSampler(55_000, 60, 1).iterationsPerEpoch, 917);
  assert.equal(new BatchSampler(55_000, 60, 1, { dropLast: true }).iterationsPerEpoch, 916);

  const ordered = new BatchSampler(5, 2, 1, { shuffle: false });
  assert.deepEqual(drain(ordered, 4), [[0, 1], [2, 3], [4], [0, 1]]);
  assert.deepEqual(
    [...ordered.epochBatches()].map((b) => [...b]),
    [[2, 3], [4]],
  );
  assert.equal(ordered.epoch, 2);

  assert.throws(() => new BatchSampler(10, 0, 1), ConfigError);
  assert.throws(() => new BatchSampler(10, 11, 1), ConfigError);
  assert.throws(() => new BatchSampler(10, 2.5, 1), ConfigError);
});

test('BatchSampler state/restore resumes bit-identically', () => {
  const ref = new BatchSampler(57, 8, 9);
  const all = drain(ref, 30);
  for (const cut of [0, 3, 7, 8, 15, 22]) {
    const s = new BatchSampler(57, 8, 9);
    drain(s, cut);
    const saved = JSON.parse(JSON.stringify(s.state()));
    const resumed = new BatchSampler(57, 8, 9);
    resumed.restore(saved);
    assert.equal(resumed.epoch, s.epoch);
    assert.deepEqual(drain(resumed, 30 - cut), all.slice(cut), `cut at ${cut}`);
  }
  const s = new BatchSampler(57, 8, 9);
  assert.throws(() => s.restore({ ...ref.state(), seed: 10 }), ConfigError);
  assert.throws(() => s.restore({ ...ref.state(), batchSize: 4 }), ConfigError);
  assert.throws(() => s.restore({ ...ref.state(), position: 3 }), ConfigError);
});

// ---------------------------------------------------------------- CIFAR-10

/** Six tiny batch files (k records each); returns the raw images and labels of train (all five) and test. */
function writeTinyCifar(
  dir: string,
  k = 3,
): { trainImages: Uint8Array; trainLabels: number[]; testImages: Uint8Array } {
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const all = files.map((f, fi) => {
    const images = bytes(k * 3072, (i) => i * 13 + fi * 31);
    const labels = Array.from({ length: k }, (_, i) => (i + fi) % 10);
    writeCifarBatch(join(dir, f), images, labels);
    return { images, labels };
  });
  const trainImages = new Uint8Array(5 * k * 3072);
  all.slice(0, 5).forEach((b, i) => trainImages.set(b.images, i * k * 3072));
  return { trainImages, trainLabels: all.slice(0, 5).flatMap((b) => b.labels), testImages: all[5]!.images };
}

test('CIFAR-10 binary batches load with per-channel normalization', () => {
  const root = freshDir();
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  const { trainImages, trainLabels, testImages } = writeTinyCifar(dir);
  for (const dataDir of [root, dir]) {
    const { train, test: t } = loadCifar10({ dataDir });
    assert.equal(train.size, 15);
    assert.equal(t.size, 3);
    assert.deepEqual(train.shape, [3, 32, 32]);
    assert.deepEqual([...train.labels], trainLabels);
    assert.deepEqual([...train.images], [...trainImages]);
    assert.deepEqual([...t.images], [...testImages]);
  }
  const { train } = loadCifar10({ dataDir: root });
  const idx = Int32Array.from([4, 0, 14]);
  const { x, y } = train.batch(idx);
  assert.deepEqual([...y], [trainLabels[4], trainLabels[0], trainLabels[14]]);
  for (let i = 0; i < 3; i++) {
    for (let c = 0; c < 3; c++) {
      for (const p of [0, 1, 500, 1023]) {
        const raw = trainImages[idx[i]! * 3072 + c * 1024 + p]!;
        close(x[i * 3072 + c * 1024 + p]!, (raw / 255 - CIFAR10_MEAN[c]!) / CIFAR10_STD[c]!);
      }
    }
  }
  assert.deepEqual(
    [...train.normalizedZero()],
    CIFAR10_MEAN.map((m, c) => Math.fround(-m / CIFAR10_STD[c]!)),
  );
});

test('CIFAR-10 errors: not bundled, missing files, bad lengths and labels', () => {
  throwsData(() => loadCifar10({}), /not bundled/, /--data-dir/, /data_batch_1\.bin/);
  const missing = join(tmp, 'no-such-cifar');
  throwsData(() => loadCifar10({ dataDir: missing }), /not found/, /no-such-cifar/, /not bundled/, /test_batch\.bin/);

  const dir = freshDir();
  writeTinyCifar(dir);
  rmSync(join(dir, 'data_batch_3.bin'));
  rmSync(join(dir, 'test_batch.bin'));
  throwsData(() => loadCifar10({ dataDir: dir }), /missing/, /data_batch_3\.bin, test_batch\.bin\./, /--data-dir/);

  writeTinyCifar(dir);
  writeFileSync(join(dir, 'data_batch_2.bin'), new Uint8Array(3073 * 2 - 1));
  throwsData(() => loadCifar10({ dataDir: dir }), /data_batch_2\.bin/, /6145 bytes/, /3073-byte records/);

  writeTinyCifar(dir);
  const bad = new Uint8Array(3073);
  bad[0] = 10;
  writeFileSync(join(dir, 'test_batch.bin'), bad);
  throwsData(() => loadCifar10({ dataDir: dir }), /test_batch\.bin/, /label 10/);
});

test('augmentation: seeded, flips mirror, crops shift in normalized black padding', () => {
  const n = 64;
  // Raw image: distinct values per position so every move is visible (never 0, so padding stands out).
  const raw = bytes(n * 3072, (i) => 1 + (((i % 3072) * 7) % 250));
  const ds = new ImageDataset({
    images: raw,
    labels: new Int32Array(n),
    shape: [3, 32, 32],
    numClasses: 10,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
  });
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const base = ds.batch(all).x;
  const run = (seed: number, opts = {}): Float32Array => {
    const x = base.slice();
    augmentBatch(x, n, 3, 32, 32, new Rng(seed, 'augment'), opts);
    return x;
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));

  // Flip only: each sample is either unchanged or exactly mirrored, and both happen.
  const flipped = run(1, { pad: 0 });
  let mirrors = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const s = flipped.subarray(i * 3072, (i + 1) * 3072);
    const o = base.subarray(i * 3072, (i + 1) * 3072);
    let isSame = true;
    let isMirror = true;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const v = s[c * 1024 + y * 32 + x];
          if (v !== o[c * 1024 + y * 32 + x]) isSame = false;
          if (v !== o[c * 1024 + y * 32 + 31 - x]) isMirror = false;
        }
    assert.ok(isSame || isMirror, `sample ${i} is neither original nor mirror`);
    if (isMirror) mirrors++;
    else same++;
  }
  assert.ok(mirrors > 10 && same > 10, `${mirrors} mirrored, ${same} unchanged`);

  // Full augmentation against a torchvision-style reference on the raw image: pad with 0, crop, flip, normalize.
  const twin = new Rng(11, 'augment');
  const zero = ds.normalizedZero();
  close(zero[0]!, -0.4914 / 0.247);
  const out = run(11);
  let padded = 0;
  let shifted = 0;
  for (let i = 0; i < n; i++) {
    const top = twin.int(9);
    const left = twin.int(9);
    const flip = twin.int(2) === 1;
    if (top !== 4 || left !== 4) shifted++;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const cx = flip ? 31 - x : x; // column in the crop
          const py = y + top - 4; // position in the unpadded raw image
          const px = cx + left - 4;
          const inside = py >= 0 && py < 32 && px >= 0 && px < 32;
          const r = inside ? raw[i * 3072 + c * 1024 + py * 32 + px]! : 0;
          const want = (r / 255 - CIFAR10_MEAN[c]!) / CIFAR10_STD[c]!;
          close(out[i * 3072 + c * 1024 + y * 32 + x]!, want);
          if (!inside) {
            // Padding is exactly the normalized black value of the channel, e.g. red: -0.4914/0.2470.
            assert.equal(out[i * 3072 + c * 1024 + y * 32 + x], zero[c]);
            padded++;
          }
        }
  }
  assert.ok(shifted > 40 && padded > 1000, `${shifted} shifted samples, ${padded} padded pixels`);
});
