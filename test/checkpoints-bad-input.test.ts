// Damaged checkpoints (shards missing, truncated, duplicated, outside the directory; headers and indexes that are
// wrong): each is one DataError line naming the file and the tensor.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCheckpoint, readCheckpointTensor } from '../src/checkpoints/open.js';
import { saveCheckpoint } from '../src/checkpoints/write.js';
import { moduleTensors } from '../src/checkpoints/module-state.js';
import { runCli } from './helpers/cli.js';
import { rawSafetensors, throwsOneLine, TwoLayers } from './helpers/checkpoint-files.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-ckpt-bad-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => path.join(tmpRoot, `d${dirCount++}`);

const SHARD1 = 'model-00001-of-00002.safetensors';
const SHARD2 = 'model-00002-of-00002.safetensors';

/** A good two-shard BF16 checkpoint: fc1.weight in shard 1, fc1.bias, fc2.weight and fc2.bias in shard 2. */
function shardedCheckpoint(): { dir: string; index: string } {
  const dir = freshDir();
  const saved = saveCheckpoint(dir, moduleTensors(new TwoLayers()), { dtype: 'BF16', maxShardSize: '300B' });
  assert.deepEqual(
    saved.files.map((f) => path.basename(f)),
    [SHARD1, SHARD2],
  );
  return { dir, index: saved.source };
}

function editIndex(index: string, edit: (weightMap: Record<string, string>) => void): void {
  const json = JSON.parse(fs.readFileSync(index, 'utf8')) as { weight_map: Record<string, string> };
  edit(json.weight_map);
  fs.writeFileSync(index, JSON.stringify(json));
}

describe('damaged sharded checkpoints', () => {
  test('an index naming a missing shard', () => {
    const { dir } = shardedCheckpoint();
    fs.rmSync(path.join(dir, SHARD2));
    throwsOneLine(() => openCheckpoint(dir), /names shard \S+model-00002-of-00002\.safetensors, which does not exist/);
  });

  test('a tensor the index names but its shard lacks, and the reverse', () => {
    const a = shardedCheckpoint();
    editIndex(a.index, (m) => (m['ghost.weight'] = SHARD1));
    throwsOneLine(
      () => openCheckpoint(a.dir),
      /maps tensor 'ghost\.weight' to \S+00001-of-00002\.safetensors, which does not hold it/,
    );
    const b = shardedCheckpoint();
    editIndex(b.index, (m) => delete m['fc1.bias']);
    throwsOneLine(
      () => openCheckpoint(b.dir),
      /shard \S+00002-of-00002\.safetensors holds tensor 'fc1\.bias', which shard index \S+ does not list/,
    );
    const c = shardedCheckpoint();
    editIndex(c.index, (m) => (m['fc1.bias'] = SHARD1));
    throwsOneLine(
      () => openCheckpoint(c.dir),
      /maps tensor 'fc1\.bias' to \S+00001-of-00002\.safetensors, but \S+00002-of-00002\.safetensors holds it/,
    );
  });

  test('a truncated shard, when opened and when it shrinks after opening', () => {
    const a = shardedCheckpoint();
    const shard = path.join(a.dir, SHARD2);
    fs.truncateSync(shard, fs.statSync(shard).size - 10);
    throwsOneLine(
      () => openCheckpoint(a.dir),
      /invalid safetensors file \S+00002-of-00002\.safetensors: file is truncated/,
    );
    const b = shardedCheckpoint();
    const ckpt = openCheckpoint(b.dir);
    fs.truncateSync(path.join(b.dir, SHARD1), 100);
    throwsOneLine(
      () => readCheckpointTensor(ckpt, 'fc1.weight'),
      /00001-of-00002\.safetensors: file is truncated: tensor 'fc1\.weight' needs bytes/,
    );
  });

  test('the same tensor in two shards', () => {
    const { dir, index } = shardedCheckpoint();
    const twin = { name: 'fc1.bias', shape: [16], values: () => new Float32Array(16) };
    saveCheckpoint(path.join(dir, 'extra.safetensors'), [
      twin,
      { name: 'other', shape: [1], values: () => new Float32Array(1) },
    ]);
    editIndex(index, (m) => (m.other = 'extra.safetensors'));
    throwsOneLine(
      () => openCheckpoint(dir),
      /tensor 'fc1\.bias' is in both shard \S+00002-of-00002\.safetensors and shard \S+extra\.safetensors/,
    );
  });

  test('shard paths that leave the checkpoint directory are refused, even when the file exists', () => {
    const { dir, index } = shardedCheckpoint();
    fs.copyFileSync(path.join(dir, SHARD2), path.join(tmpRoot, 'outside.safetensors'));
    for (const escape of [
      '../outside.safetensors',
      path.join(tmpRoot, 'outside.safetensors'),
      'sub/../../outside.safetensors',
      '.',
      '..\\x.safetensors',
    ]) {
      editIndex(index, (m) => {
        for (const t of ['fc1.bias', 'fc2.weight', 'fc2.bias']) m[t] = escape;
      });
      throwsOneLine(() => openCheckpoint(dir), /maps tensor 'fc\d\.\w+' to "[^"]*", which is not a file inside/);
    }
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.renameSync(path.join(dir, SHARD2), path.join(dir, 'sub', 'part.safetensors'));
    editIndex(index, (m) => {
      for (const t of ['fc1.bias', 'fc2.weight', 'fc2.bias']) m[t] = './sub/../sub/part.safetensors';
    });
    assert.equal(openCheckpoint(dir).tensors.get('fc2.bias')!.file, path.join(dir, 'sub', 'part.safetensors'));
  });

  test('indexes that are not indexes; directories and paths that hold no checkpoint', () => {
    const { dir, index } = shardedCheckpoint();
    fs.writeFileSync(index, '{"weight_map": ');
    throwsOneLine(() => openCheckpoint(dir), /model\.safetensors\.index\.json is not valid JSON/);
    fs.writeFileSync(index, '{"metadata": {"total_size": 1}}');
    throwsOneLine(
      () => openCheckpoint(index),
      /index\.json has unexpected content: "weight_map" is undefined, not an object/,
    );
    fs.writeFileSync(index, '{"weight_map": {"fc1.weight": 3}}');
    throwsOneLine(() => openCheckpoint(index), /"weight_map" gives 3 as the shard of 'fc1\.weight'/);
    const empty = freshDir();
    fs.mkdirSync(empty);
    throwsOneLine(
      () => openCheckpoint(empty),
      /checkpoint directory \S+ holds neither model\.safetensors nor model\.safetensors\.index\.json/,
    );
    throwsOneLine(() => openCheckpoint(path.join(empty, 'nope')), /cannot open checkpoint \S+nope: ENOENT/);
  });
});

describe('damaged safetensors files', () => {
  const write = (bytes: Uint8Array) => {
    const file = path.join(freshDir() + '.safetensors');
    fs.writeFileSync(file, bytes);
    return file;
  };

  test('not safetensors, or a header length beyond the limit', () => {
    throwsOneLine(
      () => openCheckpoint(write(Buffer.from('hello, this is text'))),
      /invalid safetensors file \S+: header length \d+ exceeds the 100000000-byte limit/,
    );
    const huge = rawSafetensors({});
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    throwsOneLine(() => openCheckpoint(write(huge)), /header length 1099511627776 exceeds the 100000000-byte limit/);
    throwsOneLine(
      () =>
        openCheckpoint(
          write(rawSafetensors({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
        ),
      /tensor 'a' has unknown dtype "Q4"/,
    );
  });

  test('FP8 tensors list but do not read', () => {
    const file = write(
      rawSafetensors({ w: { dtype: 'F8_E4M3', shape: [2, 2], data_offsets: [0, 4] } }, new Uint8Array(4)),
    );
    const ckpt = openCheckpoint(file);
    assert.deepEqual(ckpt.tensors.get('w')!.shape, [2, 2]);
    throwsOneLine(
      () => readCheckpointTensor(ckpt, 'w'),
      /tensor 'w' in \S+ has dtype F8_E4M3, which ticketlab cannot read/,
    );
  });
});

test('ticketlab checkpoint: each problem is one error line', () => {
  const { dir } = shardedCheckpoint();
  const cases: [string[], RegExp][] = [
    [[path.join(dir, 'nope')], /cannot open checkpoint \S+nope: ENOENT/],
    [[dir, '--tensor', 'fc9.weight'], /checkpoint \S+index\.json has no tensor 'fc9\.weight'/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(['checkpoint', ...args]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ticketlab: error: [^\n]+\n$/);
    assert.match(r.stderr, message);
  }
  const shard = path.join(dir, SHARD2);
  fs.truncateSync(shard, fs.statSync(shard).size - 10);
  const r = runCli(['checkpoint', dir]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^ticketlab: error: invalid safetensors file \S+00002-of-00002\.safetensors: file is truncated[^\n]+\n$/,
  );
});
