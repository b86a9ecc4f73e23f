// LTP masks: the exact top-k against a sort, then numpy's np.argsort(-d, kind='stable')[:k] as the oracle on made-up
// checkpoints (F32, F16, BF16, sharded, more than one block, ties at the threshold), the masks read back by ticketlab's
// readers and by numpy, bad input (one line, nothing left behind), and the command in-process and through the CLI.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { openCheckpoint, readCheckpointTensor } from '../src/checkpoints/open.js';
import { saveCheckpoint } from '../src/checkpoints/write.js';
import type { TensorSource } from '../src/checkpoints/shard-plan.js';
import { loadSafetensors } from '../src/store/safetensors.js';
import { isTempName } from '../src/store/atomic.js';
import { Rng } from '../src/engine/rng.js';
import { UserError } from '../src/util/errors.js';
import { keptCount, ltpChangeMask, type ChangeMaskOptions } from '../src/ltp/change-mask.js';
import { MaskCutter, topKThreshold } from '../src/ltp/top-k-threshold.js';
import { ltpMaskCommand } from '../src/cli/commands/ltp-mask.js';
import { repoRoot, runCli } from './helpers/cli.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ltp-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const oracle = path.join(repoRoot, 'test', 'helpers', 'ltp_checkpoints.py');

/** The mask of `keys` by sorting: largest first, ties to the lower index (what numpy's stable argsort does). */
function sortedMask(keys: Uint32Array, k: number): Uint8Array {
  const order = Array.from(keys.keys()).sort((a, b) => keys[b]! - keys[a]! || a - b);
  const mask = new Uint8Array(keys.length);
  for (const i of order.slice(0, k)) mask[i] = 1;
  return mask;
}

test('topKThreshold + MaskCutter keep exactly the k a stable sort keeps, streamed in uneven blocks', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + rng.int(400);
    // Few distinct keys: ties everywhere, some sharing the high 16 bits, some at 0 and at +infinity.
    const palette = Array.from({ length: 1 + rng.int(6) }, () =>
      rng.int(3) === 0 ? [0, 0x7f800000, 0x3c800000][rng.int(3)]! : rng.nextU32() & 0x7f80ffff,
    );
    for (let j = palette.length; j < 8; j++) palette.push((palette[0]! & 0xffff0000) | rng.int(65536));
    const keys = Uint32Array.from({ length: n }, () => palette[rng.int(palette.length)]!);
    const k = rng.int(n + 1);
    const cuts = [0, ...Array.from({ length: 3 }, () => rng.int(n + 1)).sort((a, b) => a - b), n];
    const blocks = cuts.slice(1).map((end, i) => keys.subarray(cuts[i]!, end));
    const threshold = topKThreshold(k, (visit) => blocks.forEach((b) => visit(b)));
    const cutter = new MaskCutter(threshold);
    const mask = new Uint8Array(n);
    let kept = 0;
    blocks.forEach((b, i) => (kept += cutter.cut(b, mask.subarray(cuts[i]!, cuts[i + 1]!))));
    assert.equal(kept, k);
    assert.deepEqual(mask, sortedMask(keys, k), `trial ${trial}: n ${n}, k ${k}`);
  }
});

test('keptCount rounds half to even, as Python round()', () => {
  assert.deepEqual(
    [keptCount(0.5, 5), keptCount(0.5, 7), keptCount(0.5, 9), keptCount(0.2, 1522), keptCount(0.01, 20)],
    [2, 4, 4, 304, 0],
  );
  assert.equal(keptCount(1, 6_738_415_616), 6_738_415_616);
});

interface Case {
  name: string;
  before: string;
  after: string;
  keep: number;
  scope: 'global' | 'per-layer';
  layers: string | null;
  kept: number;
  total: number;
  tensors: { name: string; kept: number; total: number }[];
}

describe('LTP masks against numpy', { skip: !hasNumpy && 'python3 with numpy not available' }, () => {
  let cases: Case[];
  const ours = path.join(dir, 'oracle', 'ours');
  const at = (f: string) => path.join(dir, 'oracle', f);
  before(() => {
    fs.mkdirSync(ours, { recursive: true });
    const r = spawnSync('python3', [oracle, 'make', path.join(dir, 'oracle')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    cases = JSON.parse(fs.readFileSync(at('expected.json'), 'utf8')) as Case[];
  });

  const run = (c: Case, out: string, extra: Partial<ChangeMaskOptions> = {}) =>
    ltpChangeMask(openCheckpoint(at(c.before)), openCheckpoint(at(c.after)), {
      keep: c.keep,
      scope: c.scope,
      layers: c.layers ?? undefined,
      out,
      ...extra,
    });

  test('every case: the mask is numpy’s bit for bit, with exactly round(keep · N) kept', () => {
    assert.equal(cases.length, 14);
    for (const c of cases) {
      const r = run(c, path.join(ours, `${c.name}.safetensors`));
      assert.deepEqual([r.kept, r.total], [c.kept, c.total], c.name);
      assert.deepEqual(
        r.tensors.map((t) => [t.name, t.kept, t.total]),
        c.tensors.map((t) => [t.name, t.kept, t.total]),
        c.name,
      );
      const got = openCheckpoint(r.out);
      const want = openCheckpoint(at(path.join('expected', `${c.name}.safetensors`)));
      assert.deepEqual([...got.tensors.keys()].sort(), [...want.tensors.keys()].sort(), c.name);
      for (const name of want.tensors.keys()) {
        const mine = readCheckpointTensor(got, name);
        const theirs = readCheckpointTensor(want, name);
        assert.equal(mine.dtype, 'U8');
        assert.deepEqual(mine.shape, theirs.shape, `${c.name}: ${name}`);
        assert.ok(Buffer.from(mine.data.buffer).equals(Buffer.from(theirs.data.buffer)), `${c.name}: ${name} differs`);
      }
    }
    const layers = cases.find((c) => c.layers !== null)!;
    assert.deepEqual(
      layers.tensors.map((t) => t.name),
      ['blocks.1.mlp.bias', 'blocks.1.mlp.weight', 'blocks.2.mlp.weight'],
    );
  });

  test('numpy reads the masks ticketlab wrote, and ticketlab’s whole-file reader takes U8', () => {
    const r = spawnSync('python3', [oracle, 'check', path.join(dir, 'oracle')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), String(cases.length));
    const file = loadSafetensors(path.join(ours, 'f32-layers.safetensors'));
    assert.deepEqual(file.metadata, {
      format: 'pt',
      kind: 'ltp-mask',
      keep: '0.25',
      scope: 'global',
      pattern: 'blocks\\.[12]\\.',
    });
    const bias = file.tensors['blocks.1.mlp.bias']!;
    assert.deepEqual([bias.dtype, bias.shape], ['U8', [8]]);
  });

  test('progress counts tensors × 3 passes, and stops at the total', () => {
    const c = cases.find((x) => x.name === 'f32-per-layer')!;
    const seen: [number, number][] = [];
    run(c, path.join(dir, 'progress.safetensors'), { onProgress: (d, t) => seen.push([d, t]) });
    const total = c.tensors.length * 3;
    assert.ok(seen.every(([d, t], i) => t === total && (i === 0 || d > seen[i - 1]![0])));
    assert.deepEqual(seen.at(-1), [total, total]);
  });

  test('the command, in-process: --json last line, and the mask numpy expects', async () => {
    const c = cases.find((x) => x.name === 'sharded-per-layer')!;
    const out = path.join(dir, 'command.safetensors');
    const args = ['--before', at(c.before), '--after', at(c.after), '--keep', '0.3', '--scope', 'per-layer'];
    const lines = await inProcess(['--json', 'ltp-mask', ...args, '--out', out]);
    const j = JSON.parse(lines.at(-1)!) as Record<string, unknown> & { tensors: Case['tensors'] };
    assert.deepEqual(Object.keys(j), [
      'before',
      'after',
      'keep',
      'scope',
      'layers',
      'out',
      'kept',
      'total',
      'tensors',
      'seconds',
    ]);
    assert.deepEqual(
      [j.keep, j.scope, j.layers, j.out, j.kept, j.total],
      [0.3, 'per-layer', null, out, c.kept, c.total],
    );
    assert.deepEqual(
      j.tensors.map((t) => [t.name, t.kept, t.total]),
      c.tensors.map((t) => [t.name, t.kept, t.total]),
    );
    const want = fs.readFileSync(path.join(ours, 'sharded-per-layer.safetensors'));
    assert.ok(fs.readFileSync(out).equals(want), 'the same bytes as the library wrote');
    const human = await inProcess(['ltp-mask', ...args, '--out', path.join(dir, 'command-human.safetensors')]);
    assert.match(human.at(-2)!, /^total\s+458 \/ 1522\s+30\.09%$/);
  });

  const registered = runCli(['ltp-mask', '--help']).status === 0;
  test(
    'the CLI: --json result, and bad input as one line with nothing left behind',
    { skip: !registered && 'ltp-mask is not registered in src/cli/main.ts yet' },
    () => {
      const c = cases.find((x) => x.name === 'bf16-global')!;
      const out = path.join(dir, 'cli.safetensors');
      const args = ['--before', at(c.before), '--after', at(c.after), '--keep', '0.2'];
      const r = runCli(['--json', 'ltp-mask', ...args, '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      const j = r.json<{ kept: number; total: number; scope: string }>();
      assert.deepEqual([j.kept, j.total, j.scope], [c.kept, c.total, 'global']);
      assert.ok(fs.readFileSync(out).equals(fs.readFileSync(path.join(ours, 'bf16-global.safetensors'))));
      for (const [bad, message] of [
        [['--keep', '0', '--out', path.join(dir, 'cli-bad.safetensors')], /--keep must lie in \(0, 1\], got 0/],
        [['--layers', 'nothing', '--out', path.join(dir, 'cli-bad.safetensors')], /--layers 'nothing' matches no/],
        [['--out', out], /already exists/],
      ] as const) {
        const e = runCli(['ltp-mask', ...args, ...bad]);
        assert.notEqual(e.status, 0);
        const lines = e.stderr.trim().split('\n');
        assert.equal(lines.length, 1, e.stderr);
        assert.match(lines[0]!, /^ticketlab: error: /);
        assert.match(lines[0]!, message);
      }
      assert.equal(fs.existsSync(path.join(dir, 'cli-bad.safetensors')), false);
      assert.deepEqual(fs.readdirSync(dir).filter(isTempName), []);
    },
  );
});

describe('bad input: one clear line, no output and no temp file', () => {
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(bad, { recursive: true });
  const w = (fill = (_: Float32Array) => {}) => {
    const v = Float32Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i));
    fill(v);
    return v;
  };
  const save = (name: string, tensors: TensorSource[], dtype: 'F32' | 'BF16' = 'F32') => {
    const file = path.join(bad, name);
    saveCheckpoint(file, tensors, { dtype });
    return file;
  };
  const bias = { name: 'b', shape: [16], values: () => new Float32Array(16) };
  const a = save('a.safetensors', [{ name: 'w', shape: [8, 16], values: () => w() }, bias]);
  const other = save('other-shape.safetensors', [{ name: 'w', shape: [16, 8], values: () => w() }, bias]);
  const bf = save('bf.safetensors', [{ name: 'w', shape: [8, 16], values: () => w() }, bias], 'BF16');
  const onlyBias = save('only-bias.safetensors', [bias]);
  const extra = save('extra.safetensors', [
    { name: 'w', shape: [8, 16], values: () => w() },
    { name: 'x', shape: [2, 2], values: () => new Float32Array(4) },
    bias,
  ]);
  const nan = save('nan.safetensors', [{ name: 'w', shape: [8, 16], values: () => w((v) => (v[5 * 16 + 3] = NaN)) }]);
  const inf = save('inf.safetensors', [{ name: 'w', shape: [8, 16], values: () => w((v) => (v[17] = -Infinity)) }]);
  const inputs = fs.readdirSync(bad).sort();
  const out = path.join(bad, 'mask.safetensors');

  const cases: [string, () => unknown, RegExp][] = [
    ['different shapes', () => mask(a, other), /tensor 'w' has shape \[8, 16\] in .*a\.safetensors but \[16, 8\] in /],
    ['different dtypes', () => mask(a, bf), /tensor 'w' is F32 in .* but BF16 in /],
    ['a tensor only the second checkpoint has', () => mask(a, extra), /checkpoint .*a\.safetensors has no tensor 'x'/],
    ['a tensor only the first checkpoint has', () => mask(extra, a), /checkpoint .*a\.safetensors has no tensor 'x'/],
    ['keep 0', () => mask(a, a, { keep: 0 }), /--keep must lie in \(0, 1\], got 0/],
    ['keep above 1', () => mask(a, a, { keep: 1.5 }), /--keep must lie in \(0, 1\], got 1.5/],
    ['keep NaN', () => mask(a, a, { keep: NaN }), /--keep must lie in \(0, 1\], got NaN/],
    ['a pattern that is not a regex', () => mask(a, a, { layers: 'w[' }), /--layers 'w\[' is not a valid regular/],
    ['a pattern that matches nothing', () => mask(a, a, { layers: '^nope' }), /--layers '\^nope' matches no floating/],
    ['no tensor of two dimensions', () => mask(onlyBias, onlyBias), /has no floating-point tensor of two or more/],
    ['NaN after', () => mask(a, nan), /element 83 \[5, 3\] of tensor 'w' in .*nan\.safetensors \(after\) is NaN/],
    [
      'infinity before',
      () => mask(inf, a),
      /element 17 \[1, 1\] of tensor 'w' in .*inf\.safetensors \(before\) is -Inf/,
    ],
    ['an existing output', () => mask(a, a, { out: a }), /output .*a\.safetensors already exists/],
    ['a missing directory', () => mask(a, a, { out: path.join(bad, 'no', 'm.safetensors') }), /cannot write .*ENOENT/],
    ['a missing checkpoint', () => mask(path.join(bad, 'none'), a), /cannot open checkpoint .*none: ENOENT/],
  ];
  for (const [what, fn, message] of cases) {
    test(what, () => {
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
        assert.ok(!err.message.includes('\n'), err.message);
        assert.match(err.message, message);
        return true;
      });
      assert.deepEqual(fs.readdirSync(bad).sort(), inputs, 'no output and no temp file');
    });
  }

  test('the command refuses a bad --scope and --keep before reading anything', async () => {
    for (const [flags, message] of [
      [['--scope', 'layer'], /--scope must be one of global, per-layer, got 'layer'/],
      [['--keep', 'x'], /--keep must be a number, got 'x'/],
      [['--keep', '2'], /--keep must lie in \(0, 1\], got 2/],
    ] as const) {
      await assert.rejects(inProcess(['ltp-mask', '--before', a, '--after', a, ...flags, '--out', out]), message);
    }
    assert.deepEqual(fs.readdirSync(bad).sort(), inputs);
  });

  test('keep 1 keeps every element; a 1-D tensor is masked only when a pattern names it', () => {
    const r = mask(a, a, { keep: 1, layers: '^[bw]$' });
    assert.deepEqual(
      r.tensors.map((t) => [t.name, t.kept, t.total]),
      [
        ['b', 16, 16],
        ['w', 128, 128],
      ],
    );
    fs.rmSync(out);
  });

  function mask(before: string, after: string, opts: Partial<ChangeMaskOptions> = {}) {
    return ltpChangeMask(openCheckpoint(before), openCheckpoint(after), { keep: 0.2, scope: 'global', out, ...opts });
  }
});

/** Runs the command on a program of its own (main.ts registers it for the real CLI); returns what it printed. */
async function inProcess(args: string[]): Promise<string[]> {
  const program = new Command('ticketlab').option('--json').exitOverride();
  ltpMaskCommand(program);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...xs: unknown[]) => lines.push(xs.join(' '));
  try {
    await program.parseAsync(['node', 'ticketlab', ...args]);
  } finally {
    console.log = log;
  }
  return lines;
}
