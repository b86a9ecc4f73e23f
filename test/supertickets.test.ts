// `ticketlab supertickets` end to end at a toy size: the pruned fraction reaches the target exactly, the kept MACs
// fall with it, the run is stored and found again, and bad settings are one line each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

interface Result {
  run: string;
  flops: number;
  dense_flops: number;
  params: number;
  density: number;
  test_accuracy: number;
  architecture: { blocks: { branches: { kernel: number; hidden: number }[] }[] };
  test_examples: number;
  reused: boolean;
}

/** A toy run: 256 training examples an epoch, scored on the first 500 test images. */
const QUICK = ['--json', 'supertickets', '--examples', '256', '--test-examples', '500'];

test('supertickets: the target ratio exactly, fewer MACs, stored and found again', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-st-'));
  try {
    for (const reactivation of ['implicit', 'reset']) {
      const args = [...QUICK, '--epochs', '2', '--target-ratio', '0.2'];
      const r = runCli([...args, '--reactivation', reactivation, '--root', root]);
      assert.equal(r.status, 0, r.stderr);
      const out = r.json<Result>();
      assert.ok(Math.abs(out.density - 0.8) < 1e-4, `${reactivation}: density ${out.density}`);
      assert.ok(out.flops < out.dense_flops && out.flops > 0.7 * out.dense_flops, `${out.flops} of ${out.dense_flops}`);
      assert.equal(out.architecture.blocks.length, 5);
      assert.ok(out.test_accuracy > 0 && out.test_accuracy <= 1);
      assert.equal(out.test_examples, 500);
      const again = runCli([...args, '--reactivation', reactivation, '--root', root]);
      assert.deepEqual({ ...again.json<Result>(), reused: false }, out);
      assert.equal(again.json<Result>().reused, true);
    }
    // Transfer: the MNIST ticket (its architecture and masks) as Fashion-MNIST's backbone, a new dense head.
    const [exp] = fs.readdirSync(root).filter((d) => d.startsWith('supertickets_'));
    const source = path.join(root, exp!, 'seed_0');
    const src = JSON.parse(fs.readFileSync(path.join(source, 'result.json'), 'utf8')) as Result;
    const t = runCli([
      ...QUICK,
      '--dataset',
      'fashion_mnist',
      '--epochs',
      '1',
      '--transfer-from',
      source,
      '--root',
      root,
    ]);
    assert.equal(t.status, 0, t.stderr);
    const tr = t.json<Result & { transferred_from: string; dataset: string }>();
    assert.equal(tr.dataset, 'fashion_mnist');
    assert.equal(tr.transferred_from, `${exp}/seed_0`);
    assert.deepEqual(tr.architecture, src.architecture);
    assert.ok(tr.density > src.density, 'the head is dense again; the backbone keeps its masks');
    assert.ok(Math.abs(tr.flops - src.flops) / src.flops < 0.01, 'the same backbone MACs (the head is 1,280 of them)');
    const missing = runCli(['supertickets', '--transfer-from', path.join(root, 'nothing-here'), '--root', root]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /holds no finished SuperTickets run/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('supertickets baselines: search then prune, and prune then search, reach the same target', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-st-order-'));
  try {
    for (const order of ['search-then-prune', 'prune-then-search']) {
      const r = runCli([...QUICK, '--epochs', '2', '--target-ratio', '0.2', '--order', order, '--root', root]);
      assert.equal(r.status, 0, r.stderr);
      const out = r.json<Result & { order: string }>();
      assert.equal(out.order, order);
      assert.ok(Math.abs(out.density - 0.8) < 1e-4, `${order}: density ${out.density}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('supertickets: bad settings are one clear line', () => {
  for (const [args, message] of [
    [['--target-ratio', '1'], /--target-ratio must lie in \[0, 1\)/],
    [['--dataset', 'cifar10'], /--dataset must be one of/],
    [['--reactivation', 'sometimes'], /--reactivation must be one of/],
    [['--test-examples', '-1'], /--test-examples must be a non-negative integer/],
    [['--order', 'search-then-prune', '--epochs', '1'], /needs at least 2 epochs/],
    [['--target-ratio', '0.9', '--epochs', '4'], /takes 9 pruning steps .* needs --epochs ≥ 9, got 4/],
  ] as const) {
    const r = runCli(['supertickets', ...args]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});
