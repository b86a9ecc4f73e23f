// Property-based fuzzing of the data readers (IDX plain and gzipped, CIFAR-10 batches): valid random files read
// back equal, and damaged ones give what their bytes mean by the format or one clear DataError naming the file;
// never another exception, a hang, or other data. Store readers are in fuzz-store.test.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeIdx, readIdx, writeIdx, type IdxKind } from '../src/data/idx.js';
import { readCifarBatches, writeCifarBatch } from '../src/data/cifar10.js';
import { DataError } from '../src/util/errors.js';
import {
  expectGood,
  fuzzParams,
  judge,
  mutate,
  mutationArb,
  sameBytes,
  tempDir,
  writeTallies,
  type Oracle,
} from './helpers/fuzz.js';

const tmp = tempDir('ticketlab-fuzz-data-');
after(() => {
  tmp.cleanup();
  writeTallies();
});

// ------------------------------------------------------------------ IDX

interface Idx {
  dims: number[];
  data: Uint8Array;
}

const idxArb = (kind: IdxKind): fc.Arbitrary<Idx> =>
  (kind === 'images' ? fc.tuple(fc.nat(4), fc.nat(5), fc.nat(5)) : fc.tuple(fc.nat(30))).chain((dims) =>
    fc
      .uint8Array({ minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) })
      .map((data) => ({ dims, data })),
  );
const kindArb = fc.constantFrom<IdxKind>('images', 'labels');
const sameIdx = (a: Idx, b: Idx): boolean => a.dims.join() === b.dims.join() && sameBytes(a.data, b.data);

/** What IDX bytes mean by the format, written from its description rather than from the reader. */
function idxOracle(bytes: Uint8Array, kind: IdxKind): Oracle<Idx> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let plain: Uint8Array;
    try {
      plain = gunzipSync(bytes);
    } catch {
      return { valid: false };
    }
    return idxOracle(plain, kind);
  }
  const ndim = kind === 'images' ? 3 : 1;
  if (bytes.length < 4 + 4 * ndim || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== ndim)
    return { valid: false };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (bytes.length !== 4 + 4 * ndim + dims.reduce((a, b) => a * b, 1)) return { valid: false };
  return { valid: true, value: { dims, data: bytes.subarray(4 + 4 * ndim) } };
}

function readIdxJudged(suite: string, bytes: Uint8Array, kind: IdxKind): void {
  const file = tmp.file('damaged-idx');
  fs.writeFileSync(file, bytes);
  expectGood(
    suite,
    judge(() => readIdx(file, kind), file, idxOracle(bytes, kind), sameIdx),
  );
}

describe('fuzz: IDX', () => {
  test('valid files read back equal, plain and gzipped', () => {
    fc.assert(
      fc.property(
        kindArb.chain((k) => fc.tuple(fc.constant(k), idxArb(k), fc.boolean())),
        ([kind, idx, gz]) => {
          const file = tmp.file(gz ? 'x.gz' : 'x');
          writeIdx(file, idx.dims, idx.data);
          const back = readIdx(file, kind);
          assert.deepEqual(back.dims, idx.dims);
          assert.ok(sameBytes(back.data, idx.data));
        },
      ),
      fuzzParams(60),
    );
  });

  test('damaged plain files: the bytes as the format reads them, or a clear DataError', () => {
    fc.assert(
      fc.property(
        kindArb.chain((k) => fc.tuple(fc.constant(k), idxArb(k), mutationArb(16))),
        ([kind, idx, ms]) => {
          readIdxJudged('idx plain', mutate(encodeIdx(idx.dims, idx.data), ms), kind);
        },
      ),
      fuzzParams(400),
    );
  });

  test('gzipped damaged contents (header and size errors behind compression)', () => {
    fc.assert(
      fc.property(
        kindArb.chain((k) => fc.tuple(fc.constant(k), idxArb(k), mutationArb(16))),
        ([kind, idx, ms]) => {
          const plain = mutate(encodeIdx(idx.dims, idx.data), ms);
          if (plain[0] === 0x1f && plain[1] === 0x8b) return; // would be gzip inside gzip
          readIdxJudged('idx gz contents', gzipSync(plain), kind);
        },
      ),
      fuzzParams(200),
    );
  });

  test('damaged gzip streams: identical data (CRC) or a clear DataError', () => {
    fc.assert(
      fc.property(
        kindArb.chain((k) => fc.tuple(fc.constant(k), idxArb(k), mutationArb(24))),
        ([kind, idx, ms]) => {
          readIdxJudged('idx gz stream', mutate(gzipSync(encodeIdx(idx.dims, idx.data)), ms), kind);
        },
      ),
      fuzzParams(200),
    );
  });

  test('a gzip bomb is refused at the size its header declares, without inflating it', () => {
    // One 784-byte image declared, then 256 MiB of zeros in concatenated gzip members (about 250 KB on disk).
    const zeros = gzipSync(new Uint8Array(16 << 20));
    const first = gzipSync(encodeIdx([1, 28, 28], new Uint8Array(784)));
    const file = tmp.file('bomb-idx3-ubyte.gz');
    fs.writeFileSync(file, Buffer.concat([first, ...Array.from({ length: 16 }, () => zeros)]));
    const rssBefore = process.resourceUsage().maxRSS;
    const t0 = Date.now();
    assert.throws(
      () => readIdx(file, 'images'),
      (err: Error) =>
        err instanceof DataError &&
        err.message.includes(file) &&
        /more than the 800 bytes its IDX header/.test(err.message),
    );
    const grewMb = (process.resourceUsage().maxRSS - rssBefore) / 1024;
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.ok(grewMb < 64, `peak memory grew by ${grewMb.toFixed(0)} MB`);
  });

  test('a huge plain file with a small header is refused before it is read', () => {
    const file = tmp.file('sparse-idx1-ubyte');
    fs.writeFileSync(file, encodeIdx([3], Uint8Array.from([1, 2, 3])));
    fs.truncateSync(file, 3 * 2 ** 30); // sparse: 3 GiB on paper, nothing on disk
    assert.throws(
      () => readIdx(file, 'labels'),
      (err: Error) => err instanceof DataError && err.message.includes(file) && !err.message.includes('\n'),
    );
  });
});

// ------------------------------------------------------------------ CIFAR-10 batches

const RECORD = 3073;

interface Batch {
  images: Uint8Array;
  labels: number[];
}

const batchArb: fc.Arbitrary<Batch> = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    images: fc.uint8Array({ minLength: n * 3072, maxLength: n * 3072 }),
    labels: fc.array(fc.nat(9), { minLength: n, maxLength: n }),
  }),
);

function encodeBatch(b: Batch): Uint8Array {
  const out = new Uint8Array(b.labels.length * RECORD);
  b.labels.forEach((l, i) => {
    out[i * RECORD] = l;
    out.set(b.images.subarray(i * 3072, (i + 1) * 3072), i * RECORD + 1);
  });
  return out;
}

/** What a sequence of batch files means: records of one label byte (0..9) and 3072 pixels, nothing left over. */
function cifarOracle(files: Uint8Array[]): Oracle<Batch> {
  const images: number[] = [];
  const labels: number[] = [];
  for (const f of files) {
    if (f.length === 0 || f.length % RECORD !== 0) return { valid: false };
    for (let r = 0; r < f.length; r += RECORD) {
      if (f[r]! > 9) return { valid: false };
      labels.push(f[r]!);
      images.push(...f.subarray(r + 1, r + RECORD));
    }
  }
  return { valid: true, value: { images: Uint8Array.from(images), labels } };
}

const sameBatch = (a: Batch, b: Batch): boolean => a.labels.join() === b.labels.join() && sameBytes(a.images, b.images);

describe('fuzz: CIFAR-10 batches', () => {
  test('valid batches read back equal', () => {
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 2 }), (batches) => {
        const files = batches.map((b) => {
          const f = tmp.file('batch.bin');
          writeCifarBatch(f, b.images, b.labels);
          return f;
        });
        const ds = readCifarBatches(files, 'fuzz');
        const want = cifarOracle(batches.map(encodeBatch));
        assert.ok(want.valid && sameBatch({ images: ds.images, labels: [...ds.labels] }, want.value));
      }),
      fuzzParams(40),
    );
  });

  test('damaged batches: the records the bytes hold, or a clear DataError', () => {
    fc.assert(
      fc.property(batchArb, batchArb, mutationArb(8), fc.boolean(), (a, b, ms, damageFirst) => {
        const bytes = [encodeBatch(a), encodeBatch(b)];
        const i = damageFirst ? 0 : 1;
        bytes[i] = mutate(bytes[i]!, ms);
        const files = bytes.map((data) => {
          const f = tmp.file('batch.bin');
          fs.writeFileSync(f, data);
          return f;
        });
        const read = () => {
          const ds = readCifarBatches(files, 'fuzz');
          return { images: ds.images, labels: [...ds.labels] };
        };
        expectGood('cifar batch', judge(read, files[i]!, cifarOracle(bytes), sameBatch));
      }),
      fuzzParams(200),
    );
  });

  test('a missing file and a directory are clear errors', () => {
    const dir = tmp.file('adir');
    fs.mkdirSync(dir);
    for (const f of [tmp.file('missing.bin'), dir]) {
      assert.throws(
        () => readCifarBatches([f], 'x'),
        (err: Error) => err instanceof DataError && err.message.includes(f),
      );
    }
  });
});
