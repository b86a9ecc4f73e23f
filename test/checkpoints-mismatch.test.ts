// Checkpoints that do not fit the model, and saves that fail: one clear error, and nothing loaded or written.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Module } from '../src/nn/module.js';
import { openCheckpoint } from '../src/checkpoints/open.js';
import { saveCheckpoint } from '../src/checkpoints/write.js';
import { loadCheckpointIntoModule, moduleTensors } from '../src/checkpoints/module-state.js';
import type { NameMapping } from '../src/checkpoints/mapping.js';
import type { TensorSource } from '../src/checkpoints/shard-plan.js';
import { ConfigError, UserError } from '../src/util/errors.js';
import { rawSafetensors, throwsOneLine, TwoLayers } from './helpers/checkpoint-files.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-ckpt-mismatch-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `d${dirCount++}`);

describe('checkpoints that do not fit the model', () => {
  const tensorsOf = (model: Module) => new Map(moduleTensors(model).map((t) => [t.name, t]));

  /** Loads `sources` (saved as F32) into a fresh model; asserts the failure left the model as it was. */
  function loadFails(sources: TensorSource[], mapping: NameMapping | undefined, ...patterns: RegExp[]): void {
    const file = path.join(freshDir() + '.safetensors');
    saveCheckpoint(file, sources);
    const model = new TwoLayers();
    model.fc1.weight.data.fill(0.25);
    const before = model.stateDict();
    throwsOneLine(() => loadCheckpointIntoModule(model, openCheckpoint(file), mapping), ...patterns);
    assert.deepEqual(model.stateDict(), before, 'nothing was loaded');
  }

  test('a missing parameter, an unexpected tensor, two tensors for one parameter', () => {
    const t = tensorsOf(new TwoLayers());
    loadFails(
      [t.get('fc1.weight')!, t.get('fc1.bias')!, t.get('fc2.weight')!],
      undefined,
      /checkpoint \S+ has no tensor for parameter 'fc2\.bias'/,
    );
    const extra = { name: 'head.weight', shape: [2], values: () => new Float32Array(2) };
    loadFails(
      [...t.values(), extra],
      undefined,
      /tensor 'head\.weight' in \S+\.safetensors matches no parameter of the model/,
    );
    loadFails(
      [...t.values(), extra],
      { renames: [{ from: 'head.weight', to: 'head.w' }] },
      /tensor 'head\.weight' in \S+ \(mapped to 'head\.w'\) matches no parameter/,
    );
    loadFails(
      [...t.values(), { ...extra, shape: [16], values: () => new Float32Array(16) }],
      { renames: [{ from: 'head.weight', to: 'fc1.bias' }] },
      /tensor 'head\.weight' in \S+ and tensor 'fc1\.bias' both map to 'fc1\.bias'/,
    );
  });

  test('a shape that differs, also after a transpose', () => {
    const t = tensorsOf(new TwoLayers());
    const flipped = { ...t.get('fc2.weight')!, shape: [16, 4] };
    loadFails(
      [t.get('fc1.weight')!, t.get('fc1.bias')!, flipped, t.get('fc2.bias')!],
      undefined,
      /tensor 'fc2\.weight' in \S+ has shape \[16, 4\], parameter 'fc2\.weight' has \[4, 16\]/,
    );
    loadFails(
      [...t.values()],
      { renames: [{ from: 'fc2.weight', to: 'fc2.weight', transpose: true }] },
      /tensor 'fc2\.weight' in \S+ has shape \[4, 16\], transposed \[16, 4\], parameter 'fc2\.weight' has \[4, 16\]/,
    );
  });

  test('a dtype that does not convert, and values that are not finite', () => {
    const model = new TwoLayers();
    const before = model.stateDict();
    const ints = rawSafetensors(
      { 'fc1.bias': { dtype: 'I32', shape: [16], data_offsets: [0, 64] } },
      new Uint8Array(64),
    );
    const file = path.join(freshDir() + '.safetensors');
    fs.writeFileSync(file, ints);
    throwsOneLine(
      () => loadCheckpointIntoModule(model, openCheckpoint(file), { skip: [] }),
      /tensor 'fc1\.bias' in \S+ has dtype I32, which does not convert to float32 parameter 'fc1\.bias'/,
    );
    assert.deepEqual(model.stateDict(), before);
    const t = tensorsOf(model);
    const nan = { ...t.get('fc2.bias')!, values: () => new Float32Array([0, 1, 2, NaN]) };
    const nanFile = path.join(freshDir() + '.safetensors');
    saveCheckpoint(nanFile, [t.get('fc1.weight')!, t.get('fc1.bias')!, t.get('fc2.weight')!, nan]);
    throwsOneLine(
      () => loadCheckpointIntoModule(model, openCheckpoint(nanFile)),
      /tensor 'fc2\.bias' in \S+ holds NaN at element 3; weights must be finite/,
    );
  });
});

describe('writes that fail leave nothing behind', () => {
  test('a tensor that fails halfway through a sharded save', () => {
    const t = moduleTensors(new TwoLayers());
    const broken = { name: 'zz.broken', shape: [3], values: () => new Float32Array(2) };
    const dir = freshDir();
    assert.throws(
      () => saveCheckpoint(dir, [...t, broken], { dtype: 'BF16', maxShardSize: '300B' }),
      /tensor 'zz\.broken': shape \[3\] needs 3 values, got 2 values/,
    );
    assert.equal(fs.existsSync(dir), false, 'the directory it created is gone again');
    const existing = freshDir();
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'README.md'), 'kept');
    const thrower = {
      name: 'zz.thrower',
      shape: [1],
      values: (): Float32Array => {
        throw new Error('source failed');
      },
    };
    assert.throws(() => saveCheckpoint(existing, [...t, thrower], { maxShardSize: '300B' }), /source failed/);
    assert.deepEqual(fs.readdirSync(existing), ['README.md']);
  });

  test('an existing checkpoint, bad sizes, a file that cannot hold the shards', () => {
    const t = moduleTensors(new TwoLayers());
    const dir = freshDir();
    saveCheckpoint(dir, t, { maxShardSize: '300B' });
    assert.throws(
      () => saveCheckpoint(dir, t),
      (e) => e instanceof UserError && /already holds a checkpoint \(model\.safetensors\.index\.json\)/.test(e.message),
    );
    for (const size of ['lots', '0', '5 XB', -1])
      assert.throws(() => saveCheckpoint(freshDir(), t, { maxShardSize: size }), ConfigError);
    const file = path.join(freshDir(), 'one.safetensors');
    assert.throws(
      () => saveCheckpoint(file, t, { maxShardSize: '300B' }),
      /make 3 shards of at most 300 bytes; give a directory/,
    );
    assert.throws(() => saveCheckpoint(freshDir(), [t[0]!, t[0]!]), /tensor 'fc1\.weight' is given twice/);
  });
});
