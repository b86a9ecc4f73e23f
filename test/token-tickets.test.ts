// KS-Lottery's token tickets: row statistics against scipy on numpy-made checkpoints with planted shifts (F32, F16,
// BF16), the selection finding exactly the planted rows, partial transfer's byte identity, row-restricted tuning,
// and bad input through the CLI.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernels } from '../src/engine/kernels.js';
import { openCheckpoint } from '../src/checkpoints/open.js';
import { saveCheckpoint } from '../src/checkpoints/write.js';
import { ksRowStatistics } from '../src/token-tickets/row-statistics.js';
import { selectRows, topRows } from '../src/token-tickets/select.js';
import { transferRows } from '../src/token-tickets/transfer.js';
import { parseRowSelection } from '../src/token-tickets/row-selection.js';
import { Parameter } from '../src/nn/parameter.js';
import { Adam, AdamW } from '../src/nn/optim/adam.js';
import { rowRestricted } from '../src/nn/optim/row-restricted.js';
import { repoRoot, runCli } from './helpers/cli.js';

const hasScipy = spawnSync('python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' }).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ks-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const NAME = 'model.embed_tokens.weight';

interface Expected {
  planted: number[];
  statistic: number[];
  p_value: number[];
}

describe(
  'KS rows against scipy on numpy checkpoints',
  { skip: !hasScipy && 'python3 with scipy not available' },
  () => {
    let expected: Record<string, Expected>;
    before(() => {
      const r = spawnSync('python3', [path.join(repoRoot, 'test', 'helpers', 'ks_checkpoints.py'), 'make', dir], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
    });

    for (const dtype of ['F32', 'F16', 'BF16']) {
      test(`${dtype}: every row's D and p-value match ks_2samp, and the planted rows are exactly the selection`, () => {
        const at = (f: string) => openCheckpoint(path.join(dir, dtype.toLowerCase(), f));
        const stats = ksRowStatistics(at('before.safetensors'), at('after.safetensors'), NAME);
        const want = expected[dtype]!;
        assert.equal(stats.dtype, dtype);
        for (let r = 0; r < stats.rows; r++) {
          assert.ok(Math.abs(stats.counts[r]! / stats.dim - want.statistic[r]!) < 1e-12, `row ${r} statistic`);
        }
        const sel = selectRows(stats, 0.05, 'none');
        for (const t of sel.selected) {
          const p = want.p_value[t.row]!;
          assert.ok(Math.abs(t.pValue - p) <= 1e-9 * p + 1e-300, `row ${t.row}: p ${t.pValue} vs scipy ${p}`);
        }
        assert.deepEqual(
          sel.selected.map((t) => t.row).sort((a, b) => a - b),
          want.planted,
        );
        // Ranked by statistic, largest first: the planted shifts grow with their index.
        assert.deepEqual(
          sel.selected.map((t) => t.row),
          [...want.planted].reverse(),
        );
        assert.deepEqual(topRows(stats, 2), [41, 10]);
        assert.ok(sel.counts.holm <= sel.counts.none && sel.counts.holm === 3);
      });
    }

    test('the CLI prints the selection and its JSON, with tokens from a tokenizer', () => {
      const d = path.join(dir, 'bf16');
      const out = path.join(dir, 'selection.json');
      const r = runCli([
        '--json',
        'ks',
        '--before',
        path.join(d, 'before.safetensors'),
        '--after',
        path.join(d, 'after.safetensors'),
        '--tokenizer',
        'bytes',
        '--out',
        out,
      ]);
      assert.equal(r.status, 0, r.stderr);
      const j = r.json<{
        tensor: string;
        rows: number;
        dim: number;
        critical_value: number;
        selected: { row: number; token: string }[];
      }>();
      assert.equal(j.tensor, NAME);
      assert.deepEqual([j.rows, j.dim], [64, 256]);
      assert.deepEqual(
        j.selected.map((s) => s.row),
        [41, 10, 3],
      );
      assert.equal(typeof j.selected[0]!.token, 'string');
      assert.ok(j.critical_value > 0.1 && j.critical_value < 0.13, `critical value ${j.critical_value}`);
      assert.deepEqual(parseRowSelection(out, 64), [3, 10, 41]);
      const human = runCli([
        'ks',
        '--before',
        path.join(d, 'before.safetensors'),
        '--after',
        path.join(d, 'after.safetensors'),
      ]);
      assert.equal(human.status, 0, human.stderr);
      assert.match(human.stdout, /critical value D ≥ 0\.1\d+/);
      assert.match(human.stdout, /selected 3 rows/);
    });

    test('transfer copies exactly the selected rows; every other byte is the base', () => {
      const d = path.join(dir, 'bf16');
      const out = path.join(dir, 'transferred.safetensors');
      const r = runCli([
        'transfer',
        '--base',
        path.join(d, 'before.safetensors'),
        '--from',
        path.join(d, 'after.safetensors'),
        '--rows',
        '10,41',
        '--out',
        out,
      ]);
      assert.equal(r.status, 0, r.stderr);
      const base = fs.readFileSync(path.join(d, 'before.safetensors'));
      const from = fs.readFileSync(path.join(d, 'after.safetensors'));
      const got = fs.readFileSync(out);
      assert.equal(got.length, base.length);
      const offset = openCheckpoint(out).tensors.get(NAME)!.offset;
      const rowBytes = 256 * 2;
      const inRow = (i: number, row: number) => i >= offset + row * rowBytes && i < offset + (row + 1) * rowBytes;
      let differing = 0;
      for (let i = 0; i < got.length; i++) {
        const want = inRow(i, 10) || inRow(i, 41) ? from[i] : base[i];
        if (got[i] !== want) differing++;
      }
      assert.equal(differing, 0);
      // The moved rows now test as unchanged against the tuned checkpoint.
      const stats = ksRowStatistics(openCheckpoint(out), openCheckpoint(path.join(d, 'after.safetensors')), NAME);
      assert.deepEqual([stats.counts[10], stats.counts[41]], [0, 0]);
      assert.ok(stats.counts[3]! > 0);
    });
  },
);

test('ksRowCounts: ties, -0 against +0, and a non-finite value reported by row and side', () => {
  const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
  const counts = new Int32Array(2);
  // Row 0: identical multisets in another order, with -0 and +0 (equal as floats): D = 0.
  // Row 1: a = [1,1,2,3], b = [1,2,2,2]: F_a - F_b at 1 is 2/4 - 1/4, at 2 is 3/4 - 4/4: gap 1.
  const a = f32([0, -0, 1, 2, 1, 1, 2, 3]);
  const b = f32([2, 1, 0, 0, 1, 2, 2, 2]);
  assert.equal(kernels().ksRowCounts(a, b, 2, 4, 0, counts), -1);
  assert.deepEqual([...counts], [0, 1]);
  const bad = f32([0, 1, 2, 3, 0, 1, NaN, 3]);
  assert.equal(kernels().ksRowCounts(a, bad, 2, 4, 0, counts), 2 * 1 + 1);
});

describe('bad input: one clear line, nothing written', () => {
  const save = (name: string, rows: number, dim: number, dtype: 'F32' | 'BF16', fill?: (v: Float32Array) => void) => {
    const v = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i));
    fill?.(v);
    const file = path.join(dir, name);
    saveCheckpoint(file, [{ name: 'tok_emb.weight', shape: [rows, dim], values: () => v }], { dtype });
    return file;
  };
  const a = save('a.safetensors', 8, 16, 'F32');
  const other = save('other-shape.safetensors', 8, 12, 'F32');
  const bf = save('bf.safetensors', 8, 16, 'BF16');
  const nan = save('nan.safetensors', 8, 16, 'F32', (v) => (v[5 * 16 + 3] = NaN));
  const cases: [string, string[], RegExp][] = [
    ['different shapes', ['ks', '--before', a, '--after', other], /shape \[8, 16\] in .* but \[8, 12\]/],
    ['different dtypes', ['ks', '--before', a, '--after', bf], /is F32 in .* but BF16/],
    ['a missing tensor', ['ks', '--before', a, '--after', a, '--tensor', 'nope'], /has no tensor 'nope'/],
    ['alpha outside (0, 1)', ['ks', '--before', a, '--after', a, '--alpha', '1.5'], /--alpha must lie in \(0, 1\)/],
    ['a NaN row', ['ks', '--before', a, '--after', nan], /row 5 of tensor 'tok_emb.weight' in .*\(after\) holds NaN/],
    [
      'rows out of range',
      ['transfer', '--base', a, '--from', a, '--rows', '2,8', '--out', path.join(dir, 'x.safetensors')],
      /names row 8, outside the tensor's rows \[0, 8\)/,
    ],
    [
      'transfer across shapes',
      ['transfer', '--base', a, '--from', other, '--rows', '1', '--out', path.join(dir, 'y.safetensors')],
      /shape \[8, 16\] in .* but \[8, 12\]/,
    ],
  ];
  for (const [what, args, message] of cases) {
    test(what, () => {
      const r = runCli(args);
      assert.notEqual(r.status, 0);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
    });
  }
  test('transfer leaves no file behind when it fails', () => {
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('x.') || f.startsWith('y.') || f.includes('.tmp')),
      [],
    );
  });
  test('transfer refuses to overwrite', () => {
    const r = runCli(['transfer', '--base', a, '--from', a, '--rows', '1', '--out', bf]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /already exists/);
  });
  test('sharded checkpoints: the output is a directory with every shard, byte-identical but the rows', () => {
    const values = Float32Array.from({ length: 64 * 8 }, (_, i) => i);
    const tuned = values.map((v, i) => (Math.floor(i / 8) === 7 ? -v : v));
    const mk = (name: string, emb: Float32Array) =>
      saveCheckpoint(
        path.join(dir, name),
        [
          { name: 'head.weight', shape: [64, 8], values: () => values },
          { name: 'tok_emb.weight', shape: [64, 8], values: () => emb },
        ],
        { maxShardSize: 64 * 8 * 4 },
      ).source;
    const baseSrc = mk('sharded-base', values);
    const fromSrc = mk('sharded-from', tuned);
    const out = path.join(dir, 'sharded-out');
    const result = transferRows(openCheckpoint(baseSrc), openCheckpoint(fromSrc), 'tok_emb.weight', [7], out);
    const base = openCheckpoint(baseSrc);
    const got = openCheckpoint(result.output);
    assert.equal(got.files.length, 2);
    for (const f of base.files) {
      const mine = fs.readFileSync(path.join(out, path.basename(f)));
      const theirs = fs.readFileSync(f);
      const holdsEmbedding = got.tensors.get('tok_emb.weight')!.file.endsWith(path.basename(f));
      if (!holdsEmbedding) assert.ok(mine.equals(theirs));
      else assert.equal(mine.compare(theirs) === 0, false);
    }
    assert.ok(fs.readFileSync(result.output).equals(fs.readFileSync(baseSrc)));
  });
});

test('row-restricted Adam moves only the chosen rows, bit for bit', () => {
  const w = new Parameter(
    Float32Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i)),
    [6, 4],
  );
  const start = Float32Array.from(w.data);
  const opt = rowRestricted(new Adam([w], { lr: 0.1 }), w, [1, 4]);
  for (let s = 0; s < 5; s++) {
    w.grad = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + s) + 0.5);
    opt.step();
  }
  for (let r = 0; r < 6; r++) {
    const moved = [0, 1, 2, 3].some((c) => w.data[r * 4 + c] !== start[r * 4 + c]);
    assert.equal(moved, r === 1 || r === 4, `row ${r}`);
  }
  assert.throws(() => rowRestricted(new AdamW([w], { lr: 0.1, weightDecay: 0.01 }), w, [1]), /weight decay/);
});
