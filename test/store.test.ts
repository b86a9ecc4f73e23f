import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { DataError, UserError } from '../src/util/errors.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
  type Tensor,
} from '../src/store/safetensors.js';
import { ensureWritableDir, isTempName, writeFileAtomic } from '../src/store/atomic.js';
import { hparamHash, stableStringify } from '../src/store/hash.js';
import { openIndex } from '../src/store/index-db.js';
import { nonDefaults } from '../src/hparams/diff.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-store-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
function freshDir(): string {
  const d = path.join(tmpRoot, `d${dirCount++}`);
  fs.mkdirSync(d);
  return d;
}

/** URL of the compiled store module, for child processes. */
const indexUrl = new URL('../src/store/index-db.js', import.meta.url).href;

function runNode(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
}

function sampleTensors(): Record<string, Tensor> {
  return {
    w_f32: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1.5, -2, 0, 3.25, 1e-8, -7]) },
    w_f64: { dtype: 'F64', shape: [3], data: new Float64Array([Math.PI, -0.1, 1e300]) },
    idx_i32: { dtype: 'I32', shape: [2, 2], data: new Int32Array([1, -1, 2 ** 31 - 1, -(2 ** 31)]) },
    step_i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([9007199254740993n, -5n]) },
    bytes_u8: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) },
    mask: { dtype: 'BOOL', shape: [1, 3], data: new Uint8Array([1, 0, 1]) },
    scalar: { dtype: 'F32', shape: [], data: new Float32Array([42]) },
    empty_f32: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    empty_u8: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed header is probed field by field
function headerOf(bytes: Uint8Array): { len: number; json: Record<string, any> } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { len, json: JSON.parse(Buffer.from(bytes.subarray(8, 8 + len)).toString('utf8')) };
}

/** A hand-made safetensors file: `header` (object or raw text) + `data`. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors', () => {
  test('round trip of every dtype, with metadata and empty tensors', () => {
    const tensors = sampleTensors();
    const meta = { format: 'pt', level: '3', note: 'ünïcode ✓' };
    const file = path.join(freshDir(), 'ckpt.safetensors');
    saveSafetensors(file, tensors, meta);
    const back = loadSafetensors(file);
    assert.deepEqual(back.metadata, meta);
    assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const b = back.tensors[name];
      assert.equal(b.dtype, t.dtype, name);
      assert.deepEqual(b.shape, t.shape, name);
      assert.equal(b.data.constructor, t.data.constructor, name);
      assert.deepEqual(Array.from(b.data as ArrayLike<unknown>), Array.from(t.data as ArrayLike<unknown>), name);
    }
    // Without metadata there is no __metadata__ key, and decoding gives {}.
    const plain = encodeSafetensors({ x: tensors.w_f32 });
    assert.equal('__metadata__' in headerOf(plain).json, false);
    assert.deepEqual(decodeSafetensors(plain).metadata, {});
  });

  test('header is space-padded to 8 bytes and tensors are ordered widest dtype first, then by name', () => {
    const bytes = encodeSafetensors(sampleTensors(), { a: 'b' });
    const { len, json } = headerOf(bytes);
    assert.equal(len % 8, 0);
    const text = Buffer.from(bytes.subarray(8, 8 + len)).toString('utf8');
    assert.match(text, /^\{"__metadata__":\{"a":"b"\},.*\} *$/);
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    assert.deepEqual(names, [
      'step_i64',
      'w_f64',
      'empty_f32',
      'scalar',
      'w_f32',
      'idx_i32',
      'bytes_u8',
      'empty_u8',
      'mask',
    ]);
    // Contiguous offsets in header order, each aligned to its item size.
    const itemSize: Record<string, number> = { I64: 8, F64: 8, F32: 4, I32: 4, U8: 1, BOOL: 1 };
    let pos = 0;
    for (const n of names) {
      const [b, e] = json[n].data_offsets;
      assert.equal(b, pos, n);
      assert.equal(b % itemSize[json[n].dtype], 0, n);
      pos = e;
    }
    assert.equal(8 + len + pos, bytes.length);
  });

  test('known bytes for a tiny tensor', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    // 54-byte header padded with 2 spaces to 56 = 0x38; 1.0f = 00 00 80 3f, 2.0f = 00 00 00 40.
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  ';
    const expected = Buffer.concat([
      Buffer.from([0x38, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(header, 'utf8'),
      Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40]),
    ]);
    assert.equal(Buffer.from(bytes).toString('hex'), expected.toString('hex'));
    assert.deepEqual(Array.from(decodeSafetensors(expected).tensors.a.data as Float32Array), [1, 2]);
  });

  test('decoded arrays are aligned even when the input bytes are not', () => {
    const bytes = encodeSafetensors({
      u: { dtype: 'U8', shape: [3], data: new Uint8Array([7, 8, 9]) },
      f: { dtype: 'F32', shape: [2], data: new Float32Array([0.5, -1]) },
      d: { dtype: 'F64', shape: [1], data: new Float64Array([2.5]) },
    });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const { tensors } = decodeSafetensors(shifted.subarray(3));
    assert.deepEqual(Array.from(tensors.f.data as Float32Array), [0.5, -1]);
    assert.deepEqual(Array.from(tensors.d.data as Float64Array), [2.5]);
    assert.equal(tensors.f.data.byteOffset % 4, 0);
    assert.equal(tensors.d.data.byteOffset % 8, 0);
    // Copies: mutating the result does not touch the input.
    (tensors.u.data as Uint8Array)[0] = 99;
    assert.deepEqual(Array.from(decodeSafetensors(shifted.subarray(3)).tensors.u.data as Uint8Array), [7, 8, 9]);
  });

  test('typed-array views (non-zero byteOffset) are encoded from their own window', () => {
    const backing = new Float32Array([9, 8, 7, 6]);
    const bytes = encodeSafetensors({ v: { dtype: 'F32', shape: [2], data: backing.subarray(1, 3) } });
    assert.deepEqual(Array.from(decodeSafetensors(bytes).tensors.v.data as Float32Array), [8, 7]);
  });

  test('finite: NaN or infinite weights are refused, naming the file, tensor and element', () => {
    const file = path.join(freshDir(), 'w.safetensors');
    saveSafetensors(file, {
      'fc1.weight': { dtype: 'F32', shape: [3], data: new Float32Array([0, 1, NaN]) },
      n: { dtype: 'I32', shape: [1], data: new Int32Array([7]) },
    });
    assert.equal(loadSafetensors(file).tensors['fc1.weight']!.data.length, 3); // off by default
    assert.throws(
      () => loadSafetensors(file, { finite: true }),
      (err: Error) =>
        err instanceof DataError &&
        err.message ===
          `invalid safetensors file ${file}: tensor 'fc1.weight' holds NaN at element 2; weights must be finite`,
    );
  });

  test('a tensor named __proto__ is an own entry, and odd names keep messages on one line', () => {
    const bytes = encodeSafetensors(
      JSON.parse('{"__proto__": {"dtype": "U8", "shape": [1], "data": null}}', (k, v) =>
        k === 'data' ? new Uint8Array([5]) : v,
      ),
    );
    const { tensors } = decodeSafetensors(bytes);
    assert.deepEqual(Object.keys(tensors), ['__proto__']);
    assert.deepEqual(
      [...(Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value as { data: Uint8Array }).data],
      [5],
    );
    assert.throws(
      () => decodeSafetensors(rawFile({ 'a\nb': { dtype: 'Q', shape: [], data_offsets: [0, 0] } })),
      (err: Error) =>
        err instanceof DataError && err.message.includes("tensor 'a\\u000ab'") && !err.message.includes('\n'),
    );
  });

  test('F16 is read as Float32Array', () => {
    const half = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00]); // 1, -2, 0.5, 2^-24, +inf
    const bytes = rawFile({ h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] } }, new Uint8Array(half.buffer));
    const t = decodeSafetensors(bytes).tensors.h;
    assert.equal(t.dtype, 'F16');
    assert.ok(t.data instanceof Float32Array);
    assert.deepEqual(Array.from(t.data as Float32Array), [1, -2, 0.5, 2 ** -24, Infinity]);
  });

  test('encoding rejects misuse', () => {
    assert.throws(() => encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), RangeError);
    assert.throws(
      () => encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } as unknown as Tensor }),
      /needs a Float32Array/,
    );
    assert.throws(
      () => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }),
      /reserved/,
    );
    assert.throws(() => encodeSafetensors({}, { n: 1 as unknown as string }), /must be a string/);
  });

  describe('corrupt files give a DataError naming the file', () => {
    const good = encodeSafetensors({
      a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
      b: { dtype: 'F32', shape: [1], data: new Float32Array([3]) },
    });
    const f32 = (n: number) => new Uint8Array(4 * n);
    const cases: [string, Uint8Array, RegExp][] = [
      ['shorter than 8 bytes', new Uint8Array(5), /file is 5 bytes, shorter than the 8-byte header length/],
      [
        'header length beyond the file',
        (() => {
          const b = rawFile({});
          new DataView(b.buffer).setBigUint64(0, 1000n, true);
          return b;
        })(),
        /header length 1000 exceeds the 2 bytes/,
      ],
      ['invalid JSON', rawFile('{"a": [1,'), /header is not valid UTF-8 JSON/],
      ['invalid UTF-8', rawFile(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')), /not valid UTF-8 JSON/],
      ['header not an object', rawFile('[1,2]'), /header is not a JSON object/],
      [
        'unknown dtype',
        rawFile({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, f32(1)),
        /tensor 'a' has unknown dtype "Q7"/,
      ],
      [
        'bad shape',
        rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
        /invalid shape \[-1\]/,
      ],
      [
        'bad offsets',
        rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32(1)),
        /invalid data_offsets \[4,0\]/,
      ],
      [
        'shape/offset mismatch',
        rawFile({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32(3)),
        /shape \[2,2\] \(16 bytes of F32\) but data_offsets \[0, 12\] span 12 bytes/,
      ],
      [
        'overlapping offsets',
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          f32(3),
        ),
        /tensor 'b' data_offsets \[4, 12\] overlap tensor 'a'/,
      ],
      [
        'out-of-range offsets',
        rawFile(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [400, 404] },
          },
          f32(2),
        ),
        /tensor 'b' data_offsets \[400, 404\] lie outside the 8-byte data region/,
      ],
      [
        'gap in the data region',
        rawFile(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
          },
          f32(3),
        ),
        /data bytes \[4, 8\) are not covered by any tensor/,
      ],
      [
        'trailing bytes not covered',
        rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
        /data bytes \[4, 8\) are not covered/,
      ],
      [
        'truncated file',
        good.subarray(0, good.length - 4),
        /file is truncated: tensors need 12 data bytes but only 8 are present/,
      ],
      ['non-string metadata', rawFile({ __metadata__: { k: 1 } }), /__metadata__ value 'k' is not a string/],
    ];
    const dir = freshDir();
    cases.forEach(([name, bytes, re], i) => {
      test(name, () => {
        const file = path.join(dir, `bad${i}.safetensors`);
        fs.writeFileSync(file, bytes);
        assert.throws(
          () => loadSafetensors(file),
          (err: Error) => {
            assert.ok(err instanceof DataError, `expected DataError, got ${err}`);
            assert.ok(err.message.startsWith(`invalid safetensors file ${file}: `), err.message);
            assert.match(err.message, re);
            assert.equal(err.message.includes('\n'), false);
            return true;
          },
        );
      });
    });
    test('missing file', () => {
      const file = path.join(dir, 'nope.safetensors');
      assert.throws(
        () => loadSafetensors(file),
        (err: Error) =>
          err instanceof DataError &&
          err.message === `cannot read safetensors file ${file}: ENOENT: no such file or directory`,
      );
    });
  });

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  test(
    'numpy reads ticketlab files and ticketlab reads numpy-written files',
    { skip: !hasNumpy && 'python3 with numpy not available' },
    () => {
      const dir = freshDir();
      const ours = path.join(dir, 'ours.safetensors');
      const theirs = path.join(dir, 'theirs.safetensors');
      saveSafetensors(ours, sampleTensors(), { source: 'ticketlab' });
      // A minimal reader/writer in plain numpy, independent of our code.
      const py = `
import json, struct, sys
import numpy as np
DT = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8', 'U8': 'u1', 'BOOL': '?'}
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out = {'__metadata__': header.pop('__metadata__', {})}
for name, info in header.items():
    b, e = info['data_offsets']
    a = np.frombuffer(data[b:e], dtype=DT[info['dtype']]).reshape(info['shape'])
    out[name] = {'dtype': info['dtype'], 'shape': list(a.shape), 'values': [str(v) for v in a.ravel().tolist()]}
print(json.dumps(out))
arrays = {'weights': np.arange(6, dtype='<f4').reshape(2, 3) / 4, 'mask': np.array([True, False]), 'n': np.array([-3], dtype='<i8')}
codes = {'float32': 'F32', 'bool': 'BOOL', 'int64': 'I64'}
hdr, blobs, off = {'__metadata__': {'by': 'numpy'}}, [], 0
for name in sorted(arrays):
    blob = arrays[name].tobytes()
    hdr[name] = {'dtype': codes[str(arrays[name].dtype)], 'shape': list(arrays[name].shape), 'data_offsets': [off, off + len(blob)]}
    blobs.append(blob)
    off += len(blob)
h = json.dumps(hdr).encode()
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
`;
      const r = spawnSync('python3', ['-c', py, ours, theirs], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const parsed = JSON.parse(r.stdout);
      assert.deepEqual(parsed.__metadata__, { source: 'ticketlab' });
      for (const [name, t] of Object.entries(sampleTensors())) {
        assert.equal(parsed[name].dtype, t.dtype, name);
        assert.deepEqual(parsed[name].shape, t.shape, name);
        const expected = Array.from(t.data as ArrayLike<number | bigint>, (v) =>
          t.dtype === 'BOOL' ? (v ? 'True' : 'False') : t.dtype === 'F32' ? String(Math.fround(Number(v))) : String(v),
        );
        const got = parsed[name].values.map((v: string) => (t.dtype === 'F32' ? String(Math.fround(Number(v))) : v));
        // Python prints floats with repr(); compare numerically for floats, textually otherwise.
        if (t.dtype === 'F64') assert.deepEqual(got.map(Number), expected.map(Number), name);
        else assert.deepEqual(got, expected, name);
      }
      const back = loadSafetensors(theirs);
      assert.deepEqual(back.metadata, { by: 'numpy' });
      assert.deepEqual(back.tensors.weights.shape, [2, 3]);
      assert.deepEqual(Array.from(back.tensors.weights.data as Float32Array), [0, 0.25, 0.5, 0.75, 1, 1.25]);
      assert.deepEqual(Array.from(back.tensors.mask.data as Uint8Array), [1, 0]);
      assert.deepEqual(Array.from(back.tensors.n.data as BigInt64Array), [-3n]);
    },
  );
});

describe('atomic writes', () => {
  const entries = (dir: string) => fs.readdirSync(dir).sort();

  test('replaces the target and leaves no temp files', () => {
    const dir = freshDir();
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([104, 105]));
    assert.equal(fs.readFileSync(file, 'utf8'), 'hi');
    assert.deepEqual(entries(dir), ['a.json']);
  });

  test('a failed write (bad data) leaves the old file intact and no temp file', () => {
    const dir = freshDir();
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, 'old');
    assert.throws(() => writeFileAtomic(file, 12345 as unknown as string), TypeError);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(entries(dir), ['a.json']);
  });

  test('a failed rename (target is a directory) removes the temp file', () => {
    const dir = freshDir();
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    assert.throws(
      () => writeFileAtomic(target, 'data'),
      (err: Error) => err instanceof UserError && err.message.startsWith(`cannot write ${target}: EISDIR`),
    );
    assert.deepEqual(entries(dir), ['taken']);
    assert.deepEqual(entries(target), ['keep']);
  });

  test('a path whose parent is a file gives a one-line UserError', () => {
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    const target = path.join(dir, 'f', 'a.json');
    assert.throws(
      () => writeFileAtomic(target, 'data'),
      (err: Error) => err instanceof UserError && err.message === `cannot write ${target}: ENOTDIR: not a directory`,
    );
    assert.deepEqual(entries(dir), ['f']);
  });

  test('temp names are recognisable', () => {
    assert.ok(isTempName('.ckpt.safetensors.1234.0123456789ab.tmp'));
    assert.equal(isTempName('ckpt.safetensors'), false);
  });

  test('ensureWritableDir creates nested directories or explains why not', () => {
    const dir = freshDir();
    const nested = path.join(dir, 'a', 'b', 'c');
    ensureWritableDir(nested);
    assert.ok(fs.statSync(nested).isDirectory());
    assert.deepEqual(entries(nested), []); // the write probe is cleaned up
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const bad = path.join(dir, 'file', 'root');
    assert.throws(
      () => ensureWritableDir(bad),
      (err: Error) =>
        err instanceof UserError &&
        err.message === `run root ${bad} is not writable: part of the path is a file, not a directory`,
    );
  });
});

describe('hyperparameter hashing', () => {
  test('stableStringify sorts keys recursively and is key-order independent', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null }, u: undefined };
    const b = { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
    assert.equal(stableStringify(a), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(stableStringify(a), stableStringify(b));
  });

  test('hparamHash is sha256 of the stable form, 16 hex chars', () => {
    assert.equal(hparamHash({ b: [1, 2], a: 1 }), '8baa73198470c7bb'); // sha256('{"a":1,"b":[1,2]}')
    assert.equal(hparamHash({ a: 1, b: [1, 2] }), hparamHash({ b: [1, 2], a: 1 }));
    assert.notEqual(hparamHash({ a: 1, b: [2, 1] }), hparamHash({ a: 1, b: [1, 2] }));
    assert.match(hparamHash({}), /^[0-9a-f]{16}$/);
  });

  test('values JSON would mangle are rejected', () => {
    assert.throws(() => stableStringify({ lr: NaN }), /\$\.lr is NaN/);
    assert.throws(() => stableStringify({ n: 1n }), /bigint/);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    assert.throws(() => stableStringify(cyc), /circular/);
  });

  test('nonDefaults keeps only values that differ from the defaults', () => {
    const defaults = { training: { lr: 0.0012, batch: 60, layers: [300, 100] } };
    const h = { training: { lr: 0.0012, batch: 128, layers: [300, 100], seed: 1 } };
    assert.deepEqual(nonDefaults(h, defaults), { 'training.batch': 128, 'training.seed': 1 });
    assert.equal(hparamHash(nonDefaults(structuredClone(defaults), defaults)), hparamHash({}));
  });
});

describe('run index', () => {
  test('upserts are visible across two connections', () => {
    const root = freshDir();
    const a = openIndex(root);
    const b = openIndex(root);
    try {
      a.upsertRun({
        id: 'r1',
        kind: 'imp',
        model: 'lenet',
        dir: 'runs/r1',
        hparams: { lr: 0.1 },
        status: 'running',
        createdAt: '2024-01-01T00:00:00.000Z',
      });
      a.upsertRun({
        id: 'r2',
        kind: 'random',
        model: 'conv2',
        dir: 'runs/r2',
        hparams: {},
        status: 'running',
        createdAt: '2024-01-02T00:00:00.000Z',
      });
      assert.ok(fs.existsSync(path.join(root, 'index.sqlite-wal')), 'WAL mode');
      assert.deepEqual(
        b.listRuns().map((r) => r.id),
        ['r1', 'r2'],
      );
      assert.deepEqual(
        b.listRuns({ kind: 'imp' }).map((r) => r.id),
        ['r1'],
      );
      assert.deepEqual(
        b.listRuns({ model: 'conv2' }).map((r) => r.id),
        ['r2'],
      );
      assert.deepEqual(b.listRuns({ kind: 'imp', model: 'conv2' }), []);

      b.upsertLevel({
        runId: 'r1',
        level: 1,
        density: 0.8,
        testAccuracy: 0.97,
        layerDensity: { fc1: 0.8 },
        data: { curve: [0.5, 0.9] },
      });
      b.upsertLevel({
        runId: 'r1',
        level: 0,
        density: 1,
        testAccuracy: 0.96,
        bestTestAccuracy: 0.965,
        earlyStopStep: 12000,
      });
      b.upsertRun({ id: 'r1', kind: 'imp', model: 'lenet', dir: 'runs/r1', hparams: { lr: 0.1 }, status: 'done' });

      const r1 = a.getRun('r1')!;
      assert.equal(r1.status, 'done');
      assert.equal(r1.createdAt, '2024-01-01T00:00:00.000Z'); // kept on update
      assert.ok(r1.updatedAt > r1.createdAt);
      assert.deepEqual(r1.hparams, { lr: 0.1 });
      assert.equal(a.getRun('nope'), undefined);

      const levels = a.levels('r1');
      assert.deepEqual(levels, [
        {
          runId: 'r1',
          level: 0,
          density: 1,
          testAccuracy: 0.96,
          bestTestAccuracy: 0.965,
          earlyStopStep: 12000,
          layerDensity: null,
          data: null,
        },
        {
          runId: 'r1',
          level: 1,
          density: 0.8,
          testAccuracy: 0.97,
          bestTestAccuracy: null,
          earlyStopStep: null,
          layerDensity: { fc1: 0.8 },
          data: { curve: [0.5, 0.9] },
        },
      ]);
      a.upsertLevel({ runId: 'r1', level: 1, density: 0.8, testAccuracy: 0.98 });
      assert.equal(b.levels('r1')[1].testAccuracy, 0.98);
      assert.deepEqual(b.levels('r2'), []);
    } finally {
      a.close();
      b.close();
    }
  });

  test('two processes write a fresh index concurrently', async () => {
    const root = freshDir();
    const writer = (tag: string) =>
      runNode(`
        import { openIndex } from ${JSON.stringify(indexUrl)};
        const idx = openIndex(${JSON.stringify(root)});
        for (let i = 0; i < 40; i++) {
          idx.upsertRun({ id: '${tag}' + i, kind: 'imp', model: 'lenet', dir: 'd', hparams: { i }, status: 'running' });
          idx.upsertLevel({ runId: '${tag}' + i, level: 0, density: 1 });
        }
        idx.close();`);
    const results = await Promise.all([writer('a'), writer('b')]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const idx = openIndex(root);
    try {
      assert.equal(idx.listRuns().length, 80);
      assert.equal(idx.levels('b39').length, 1);
    } finally {
      idx.close();
    }
  });

  test('a corrupt or newer index gives a UserError suggesting to delete it', () => {
    const root = freshDir();
    const file = path.join(root, 'index.sqlite');
    fs.writeFileSync(file, 'this is not a database '.repeat(50));
    assert.throws(
      () => openIndex(root),
      (err: Error) =>
        err instanceof UserError &&
        err.message.startsWith(`run index ${file} is corrupt`) &&
        /delete it/.test(err.message),
    );

    const root2 = freshDir();
    openIndex(root2).close();
    const raw = new Database(path.join(root2, 'index.sqlite'));
    raw.pragma('user_version = 99');
    raw.close();
    assert.throws(() => openIndex(root2), /written by a newer ticketlab \(schema 99\).*delete it/);
  });

  test('a stored value of the wrong type is reported as a corrupt index, not returned', () => {
    const root = freshDir();
    const idx = openIndex(root);
    idx.upsertRun({ id: 'r', kind: 'lottery', model: 'm', dir: 'd', hparams: {}, status: 'done' });
    idx.upsertLevel({ runId: 'r', level: 0, density: 1 });
    idx.close();
    const raw = new Database(path.join(root, 'index.sqlite'));
    raw.exec(`UPDATE levels SET density = 'x'; UPDATE runs SET hparams = '[1]'`);
    raw.close();
    const again = openIndex(root);
    assert.throws(
      () => again.levels('r'),
      /is corrupt \(levels\.density holds text, not a number\); it is only a cache: delete it/,
    );
    assert.throws(() => again.getRun('r'), /is corrupt \(runs\.hparams is not a JSON object\)/);
    again.close();
  });
});
