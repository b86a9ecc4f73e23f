import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCheckpoint, readCheckpointTensor } from '../src/checkpoints/open.js';
import { saveCheckpoint } from '../src/checkpoints/write.js';
import { loadCheckpointIntoModule, moduleTensors } from '../src/checkpoints/module-state.js';
import { compileMapping, type NameMapping } from '../src/checkpoints/mapping.js';
import type { SaveDtype, TensorSource } from '../src/checkpoints/shard-plan.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../src/store/half-float.js';
import { runCli } from './helpers/cli.js';
import { numpy, TwoLayers } from './helpers/checkpoint-files.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-ckpt-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `d${dirCount++}`);

/** The numpy checkpoint's names -> TwoLayers, with GPT-2's Conv1D layout for the second layer. */
const numpyMapping: NameMapping = {
  stripPrefix: 'model.',
  renames: [
    { from: 'layers.0.fc1.weight', to: 'fc1.weight' },
    { from: 'layers.0.fc1.bias', to: 'fc1.bias' },
    { from: 'layers.{i}.c_proj.weight', to: 'fc2.weight', transpose: true },
    { from: 'layers.{i}.c_proj.bias', to: 'fc2.bias' },
  ],
  skip: ['norm.scale', 'position_ids'],
};

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
/** Bit for bit, except that any NaN equals any NaN (formats encode NaN differently). */
function assertSameValues(ours: Float32Array, theirs: Float32Array, what: string): void {
  assert.equal(ours.length, theirs.length, what);
  const a = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const b = new Uint32Array(theirs.buffer, theirs.byteOffset, theirs.length);
  const i = a.findIndex((x, k) => x !== b[k] && !(Number.isNaN(ours[k]) && Number.isNaN(theirs[k])));
  assert.equal(i, -1, `${what}: element ${i} is ${ours[i]}, numpy has ${theirs[i]}`);
}
const readF32 = (file: string) => new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);

function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

describe('checkpoints made by numpy', () => {
  const dir = freshDir();
  numpy('make', dir);
  const expected = (name: string) => fs.readFileSync(path.join(dir, 'expected', `${name}.bin`));

  test('a sharded BF16 checkpoint lists from its headers and reads exactly', () => {
    for (const location of [dir, path.join(dir, 'model.safetensors.index.json')]) {
      const ckpt = openCheckpoint(location);
      assert.equal(ckpt.sharded, true);
      assert.deepEqual(
        ckpt.files.map((f) => path.basename(f)),
        ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
      );
      assert.equal(ckpt.tensors.size, 6);
      assert.equal(ckpt.metadata.total_size, String(2 * 276 + 2 * 5 + 8 * 6));
      const w = ckpt.tensors.get('model.layers.1.c_proj.weight')!;
      assert.deepEqual(
        [w.dtype, w.shape, w.bytes, path.basename(w.file)],
        ['BF16', [16, 4], 128, 'model-00002-of-00002.safetensors'],
      );
    }
    const ckpt = openCheckpoint(dir);
    for (const name of [
      'model.layers.0.fc1.weight',
      'model.layers.0.fc1.bias',
      'model.layers.1.c_proj.weight',
      'model.norm.scale',
    ]) {
      const t = readCheckpointTensor(ckpt, name);
      assert.ok(t.data instanceof Float32Array, name);
      assert.deepEqual(bits(t.data), bits(new Float32Array(new Uint8Array(expected(name)).buffer)), name);
    }
    const fc1 = readCheckpointTensor(ckpt, 'model.layers.0.fc1.weight').data;
    assert.equal(fc1[0], 1, 'numpy rounded 1 + 2^-8, halfway between two bfloat16s, to the even one');
    const ids = readCheckpointTensor(ckpt, 'model.position_ids');
    assert.deepEqual([ids.dtype, ids.shape], ['I64', [1, 6]]);
    assert.deepEqual(
      [...(ids.data as BigInt64Array)],
      [0n, 1000000007n, 2000000014n, 3000000021n, 4000000028n, 5000000035n],
    );
  });

  test('loads into a module through a mapping: renames, a transpose, skips; masks stay', () => {
    const model = new TwoLayers();
    const mask = new Float32Array(16 * 12).map((_, i) => (i % 3 === 0 ? 0 : 1));
    model.fc1.weight.setMask(mask);
    const report = loadCheckpointIntoModule(model, openCheckpoint(dir), numpyMapping);
    assert.deepEqual(report.skipped.sort(), ['model.norm.scale', 'model.position_ids']);
    assert.deepEqual(report.loaded.map((l) => `${l.tensor}->${l.parameter}`).sort(), [
      'model.layers.0.fc1.bias->fc1.bias',
      'model.layers.0.fc1.weight->fc1.weight',
      'model.layers.1.c_proj.bias->fc2.bias',
      'model.layers.1.c_proj.weight->fc2.weight',
    ]);
    const f32 = (name: string) => new Float32Array(new Uint8Array(expected(name)).buffer);
    const fc1 = f32('model.layers.0.fc1.weight').map((v, i) => (mask[i] ? v : 0));
    assert.deepEqual(bits(model.fc1.weight.data), bits(fc1), 'masked entries stay zero');
    assert.deepEqual(bits(model.fc1.bias!.data), bits(f32('model.layers.0.fc1.bias')));
    assert.deepEqual(bits(model.fc2.weight.data), bits(transposed(f32('model.layers.1.c_proj.weight'), 16, 4)));
    assert.deepEqual(bits(model.fc2.bias!.data), bits(f32('model.layers.1.c_proj.bias')));
  });

  test('ticketlab checkpoint lists tensors and summarizes one', () => {
    const list = runCli(['--json', 'checkpoint', dir]);
    assert.equal(list.status, 0, list.stderr);
    const out = list.json<{
      sharded: boolean;
      files: string[];
      tensors: { name: string; parameters: number; shard: string }[];
      totals: { parameters: number; bytes: number };
    }>();
    assert.equal(out.sharded, true);
    assert.equal(out.tensors.length, 6);
    assert.deepEqual(out.totals, { tensors: 6, parameters: 287, bytes: 610 });
    assert.equal(out.tensors.find((t) => t.name === 'model.position_ids')?.shard, 'model-00002-of-00002.safetensors');
    const human = runCli(['checkpoint', dir]);
    assert.match(human.stdout, /2 shards, 6 tensors, 287 parameters/);
    assert.match(
      human.stdout,
      /model\.layers\.0\.fc1\.weight\s+BF16\s+\[16, 12\]\s+192\s+model-00001-of-00002\.safetensors/,
    );

    const one = runCli(['checkpoint', dir, '--tensor', 'model.layers.0.fc1.bias', '--json']);
    assert.equal(one.status, 0, one.stderr);
    const s = one.json<{
      shape: number[];
      dtype: string;
      min: number;
      max: number;
      mean: number;
      std: number;
      first: number[];
    }>();
    const v = [...new Float32Array(new Uint8Array(expected('model.layers.0.fc1.bias')).buffer)];
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    assert.deepEqual([s.dtype, s.shape], ['BF16', [16]]);
    assert.deepEqual([s.min, s.max], [Math.min(...v), Math.max(...v)]);
    assert.ok(Math.abs(s.mean - mean) < 1e-12);
    assert.ok(Math.abs(s.std - Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length)) < 1e-12);
    assert.deepEqual(s.first, v.slice(0, 8));
    assert.match(
      runCli(['checkpoint', dir, '--tensor', 'model.norm.scale']).stdout,
      /F16 \[5\], 5 parameters, 10 bytes/,
    );
  });
});

/** Float32 values that exercise rounding: every kind of bit pattern, ties, overflow, subnormals, NaN. */
function hardValues(): Float32Array {
  let state = 12345;
  const random = new Uint32Array(20000).map(() => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0));
  const edges = [
    0,
    -0,
    1,
    1 + 2 ** -8,
    1 + 3 * 2 ** -8,
    1 + 2 ** -11,
    65504,
    65519,
    65520,
    2 ** -25,
    1.5 * 2 ** -24,
    2.5 * 2 ** -24,
    1 / 3,
    -1e-8,
    3e38,
    Infinity,
    -Infinity,
    NaN,
  ];
  const out = new Float32Array(random.length + edges.length);
  out.set(new Float32Array(random.buffer));
  out.set(edges, random.length);
  return out;
}

describe('checkpoints written by ticketlab', () => {
  test('16-bit conversions round to nearest even (known cases)', () => {
    const f = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -7)]);
    assert.deepEqual([...bfloat16ToFloat(floatToBfloat16(f))], [1, 1 + 2 ** -6, -(1 + 2 ** -7)]);
    const h = new Float32Array([65519, 65520, 2 ** -25, 1.5 * 2 ** -24, 2.5 * 2 ** -24, 1 + 2 ** -11, -0, 1 / 3, NaN]);
    const back = [...halfToFloat(floatToHalf(h))];
    assert.deepEqual(back.slice(0, 7), [65504, Infinity, 0, 2 ** -23, 2 * 2 ** -24, 1, -0]);
    assert.equal(back[7], 0.333251953125);
    assert.ok(Number.isNaN(back[8]));
    assert.ok(Number.isNaN(bfloat16ToFloat(floatToBfloat16(new Float32Array([NaN])))[0]));
  });

  for (const dtype of ['BF16', 'F16', 'F32'] as SaveDtype[]) {
    test(`sharded ${dtype}: numpy reads the bytes as written; ticketlab reads them back into a module`, () => {
      const source = new TwoLayers();
      source.fc1.weight.data.set(new Float32Array(192).map((_, i) => Math.sin(i) * 0.5));
      source.fc2.weight.data.set(new Float32Array(64).map((_, i) => Math.cos(i) / 3));
      const extra: TensorSource = { name: 'extra.hard_values', shape: [hardValues().length], values: hardValues };
      const tensors = [...moduleTensors(source), extra];
      const dir = freshDir();
      const saved = saveCheckpoint(dir, tensors, { dtype, maxShardSize: '300B', metadata: { note: 'test' } });
      assert.ok(saved.files.length >= 3, `${saved.files.length} shards`);
      assert.equal(path.basename(saved.source), 'model.safetensors.index.json');

      const inputs = freshDir();
      fs.mkdirSync(inputs);
      for (const t of tensors) fs.writeFileSync(path.join(inputs, `${t.name}.f32`), t.values());
      const report = JSON.parse(numpy('check', dir, inputs)) as {
        tensors: Record<string, { dtype: string; mismatches: number; elements: number }>;
        metadata: Record<string, string>;
        aligned: boolean;
        index_total_size_ok: boolean;
        index_matches: boolean;
      };
      assert.deepEqual(Object.keys(report.tensors).sort(), tensors.map((t) => t.name).sort());
      for (const [name, r] of Object.entries(report.tensors)) {
        assert.equal(r.dtype, dtype, name);
        assert.equal(
          r.mismatches,
          0,
          `${name}: ${r.mismatches} of ${r.elements} values rounded differently from numpy`,
        );
      }
      assert.deepEqual(report.metadata, { format: 'pt', note: 'test' });
      assert.ok(report.aligned && report.index_total_size_ok && report.index_matches);

      const ckpt = openCheckpoint(dir);
      for (const t of tensors) {
        const ours = readCheckpointTensor(ckpt, t.name).data as Float32Array;
        const theirs = readF32(path.join(inputs, `${t.name}.numpy.f32`));
        assertSameValues(ours, theirs, t.name);
      }
      const copy = new TwoLayers();
      loadCheckpointIntoModule(copy, ckpt, { skip: ['extra.hard_values'] });
      const want = readF32(path.join(inputs, 'fc1.weight.numpy.f32'));
      assert.deepEqual(bits(copy.fc1.weight.data), bits(want));
      if (dtype === 'F32') assert.deepEqual(copy.stateDict(), source.stateDict());
    });
  }

  test('one shard is written as model.safetensors; a .safetensors path is one file', () => {
    const dir = freshDir();
    const tensors = moduleTensors(new TwoLayers());
    const saved = saveCheckpoint(dir, tensors, { dtype: 'BF16', maxShardSize: '5GB' });
    assert.deepEqual(fs.readdirSync(dir), ['model.safetensors']);
    assert.equal(saved.source, path.join(dir, 'model.safetensors'));
    assert.equal(saved.totalBytes, 2 * (192 + 16 + 64 + 4));
    const file = path.join(freshDir(), 'weights.safetensors');
    saveCheckpoint(file, tensors);
    const ckpt = openCheckpoint(file);
    assert.deepEqual([ckpt.sharded, ckpt.tensors.size, ckpt.metadata.format], [false, 4, 'pt']);
  });

  test('mapping patterns: prefixes, numbered placeholders, transposes, skips', () => {
    const gpt2 = compileMapping({
      stripPrefix: 'transformer.',
      renames: [
        { from: 'h.{i}.attn.c_attn.weight', to: 'blocks.{i}.attn.qkv.weight', transpose: true },
        { from: 'h.{i}.mlp.c_fc.weight', to: 'blocks.{i}.mlp.fc1.weight', transpose: true },
        { from: 'wte.weight', to: 'embed.weight' },
      ],
      skip: ['h.{i}.attn.bias'],
    });
    assert.deepEqual(gpt2('transformer.h.11.attn.c_attn.weight'), {
      target: 'blocks.11.attn.qkv.weight',
      transpose: true,
    });
    assert.deepEqual(gpt2('transformer.h.3.mlp.c_fc.weight'), { target: 'blocks.3.mlp.fc1.weight', transpose: true });
    assert.deepEqual(gpt2('transformer.h.x.mlp.c_fc.weight'), { target: 'h.x.mlp.c_fc.weight', transpose: false });
    assert.deepEqual(gpt2('transformer.wte.weight'), { target: 'embed.weight', transpose: false });
    assert.equal(gpt2('transformer.h.0.attn.bias'), null);
    assert.deepEqual(gpt2('lm_head.weight'), { target: 'lm_head.weight', transpose: false });
    assert.deepEqual(
      gpt2('transformer.hX1.attn.c_attn.weight'),
      { target: 'hX1.attn.c_attn.weight', transpose: false },
      'dots are literal',
    );
    assert.throws(() => compileMapping({ renames: [{ from: 'a.{i}', to: 'b.{j}' }] }), /\{j\} is not in the pattern/);
  });
});
