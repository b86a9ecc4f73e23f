// Property-based fuzzing of the store readers: safetensors (header and body, with and without the finite-weights
// check), JSON files read through readJsonFile, and the SQLite run index. Valid random files read back equal;
// damaged ones give what their bytes mean or one clear UserError naming the file, never another exception.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  encodeSafetensors,
  loadSafetensors,
  type DecodedSafetensors,
  type Dtype,
  type Tensor,
} from '../src/store/safetensors.js';
import { readJsonFile } from '../src/store/json-file.js';
import { DataError } from '../src/util/errors.js';
import { expectGood, fuzzParams, judge, mutate, mutationArb, tempDir, writeTallies } from './helpers/fuzz.js';
import {
  levelResultArb,
  readLevelResult,
  stOracle,
  sameDecoded,
  jsonOracle,
  validateLevelResult,
  hasNonFinite,
} from './helpers/fuzz-formats.js';

const tmp = tempDir('ticketlab-fuzz-store-');
after(() => {
  tmp.cleanup();
  writeTallies();
});

// ------------------------------------------------------------------ safetensors

const CTORS = {
  F32: Float32Array,
  F64: Float64Array,
  I32: Int32Array,
  I64: BigInt64Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as const;
const SIZES: Record<Dtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, BOOL: 1 };

const nameArb = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 6 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'fc1.weight', '0', '17', 'é\u0000\n'),
  )
  .filter((n) => n !== '__metadata__');

const tensorArb: fc.Arbitrary<Tensor> = fc
  .record({
    dtype: fc.constantFrom<Dtype>('F32', 'F64', 'I32', 'I64', 'U8', 'BOOL'),
    shape: fc.array(fc.nat(3), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const bytes = shape.reduce((a, b) => a * b, 1) * SIZES[dtype];
    // Random bytes: floats include NaN, infinities and subnormals.
    return fc
      .uint8Array({ minLength: bytes, maxLength: bytes })
      .map((b) => ({ dtype, shape, data: new CTORS[dtype](b.buffer) }) as Tensor);
  });

/** Objects built with defineProperty, so names like "__proto__" are own keys as in a parsed header. */
function own<T>(entries: [string, T][]): Record<string, T> {
  const o: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const stArb = fc.record({
  tensors: fc.uniqueArray(fc.tuple(nameArb, tensorArb), { maxLength: 4, selector: ([n]) => n }).map(own),
  metadata: fc
    .uniqueArray(fc.tuple(nameArb, fc.string({ maxLength: 8 })), { maxLength: 3, selector: ([n]) => n })
    .map(own),
});

describe('fuzz: safetensors', () => {
  test('valid files read back equal (every dtype, odd names, NaN payloads)', () => {
    fc.assert(
      fc.property(stArb, ({ tensors, metadata }) => {
        const file = tmp.file('ok.safetensors');
        const bytes = encodeSafetensors(tensors, metadata);
        fs.writeFileSync(file, bytes);
        const want = stOracle(bytes);
        assert.ok(want.valid, 'the writer wrote a file the format forbids');
        assert.ok(sameDecoded(loadSafetensors(file), want.value));
        assert.deepEqual(Object.keys(want.value.tensors).sort(), Object.keys(tensors).sort());
      }),
      fuzzParams(80),
    );
  });

  for (const finite of [false, true]) {
    test(`damaged files${finite ? ' read as finite weights' : ''}: the tensors the bytes hold, or a clear DataError`, () => {
      fc.assert(
        fc.property(stArb, mutationArb(96), ({ tensors, metadata }, ms) => {
          const bytes = mutate(encodeSafetensors(tensors, metadata), ms);
          const file = tmp.file('bad.safetensors');
          fs.writeFileSync(file, bytes);
          let want = stOracle(bytes);
          if (finite && want.valid && hasNonFinite(want.value)) want = { valid: false };
          const suite = finite ? 'safetensors finite' : 'safetensors';
          expectGood(
            suite,
            judge<DecodedSafetensors>(() => loadSafetensors(file, { finite }), file, want, sameDecoded),
          );
        }),
        fuzzParams(300),
      );
    });
  }

  /** Damage confined to the data region: the header stays valid, so the values read must be what the bytes now say. */
  test('damaged tensor data behind a valid header: the values the bytes hold, or a clear DataError', () => {
    fc.assert(
      fc.property(stArb, mutationArb(8), ({ tensors, metadata }, ms) => {
        const bytes = encodeSafetensors(tensors, metadata);
        const start = 8 + Number(Buffer.from(bytes.buffer, bytes.byteOffset).readBigUInt64LE(0));
        const damaged = Buffer.concat([bytes.subarray(0, start), mutate(bytes.subarray(start), ms)]);
        const file = tmp.file('body.safetensors');
        fs.writeFileSync(file, damaged);
        expectGood(
          'safetensors body',
          judge<DecodedSafetensors>(() => loadSafetensors(file), file, stOracle(damaged), sameDecoded),
        );
      }),
      fuzzParams(200),
    );
  });
});

// ------------------------------------------------------------------ JSON files

describe('fuzz: JSON files through readJsonFile', () => {
  test('valid files read back equal', () => {
    fc.assert(
      fc.property(levelResultArb, (r) => {
        const file = tmp.file('result.json');
        fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
        assert.deepEqual(readLevelResult(file), r);
      }),
      fuzzParams(60),
    );
  });

  test('damaged files: the value the text holds if it is still a valid result, or a clear DataError', () => {
    fc.assert(
      fc.property(levelResultArb, mutationArb(32), (r, ms) => {
        const bytes = mutate(Buffer.from(JSON.stringify(r, null, 2)), ms);
        const file = tmp.file('result.json');
        fs.writeFileSync(file, bytes);
        expectGood(
          'json result',
          judge(
            () => readLevelResult(file),
            file,
            jsonOracle(bytes, validateLevelResult),
            (a, b) => {
              try {
                assert.deepEqual(a, b);
                return true;
              } catch {
                return false;
              }
            },
          ),
        );
      }),
      fuzzParams(300),
    );
  });

  test('missing, directory, oversized and empty files are clear errors', () => {
    const dir = tmp.file('adir');
    fs.mkdirSync(dir);
    const big = tmp.file('big.json');
    fs.writeFileSync(big, '{}');
    fs.truncateSync(big, 65 * 2 ** 20);
    const empty = tmp.file('empty.json');
    fs.writeFileSync(empty, '');
    for (const [f, why] of [
      [tmp.file('none.json'), /cannot be read \(ENOENT/],
      [dir, /cannot be read \(EISDIR/],
      [big, /more than any file/],
      [empty, /it is empty/],
    ] as const) {
      assert.throws(
        () => readJsonFile(f, (v) => v),
        (err: Error) => err instanceof DataError && err.message.startsWith(f) && why.test(err.message),
      );
    }
    assert.throws(() => readJsonFile(empty, (v) => v, { advice: 'delete it' }), /; delete it$/);
  });
});

// ------------------------------------------------------------------ the SQLite run index lives in fuzz-index.test.ts

test('fixtures are what they claim', () => {
  // The oracles are written from the formats' descriptions; check them on known bytes so a bug there cannot hide one here.
  const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, NaN]) } });
  const o = stOracle(bytes);
  assert.ok(o.valid && hasNonFinite(o.value));
  assert.equal(stOracle(bytes.subarray(0, bytes.length - 1)).valid, false);
  assert.equal(jsonOracle(Buffer.from('{"level": 1}'), validateLevelResult).valid, false);
  assert.ok(path.isAbsolute(tmp.dir));
});
