// V2 ticket signatures: QR round trips through the real decoder, signing a LeNet-300-100 ticket at held density,
// verification by window scan, robustness to further pruning, no false positives, conv-cell semantics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQr, encodeQr, functionPatternMask, withFunctionPatterns } from '../src/ownership/qr.js';
import { signMask } from '../src/ownership/sign.js';
import { verifyMasks } from '../src/ownership/verify.js';
import { mayDecode } from '../src/ownership/readable.js';
import { connectivityMap, mapGeometry } from '../src/ownership/connectivity.js';
import { H_FORMAT_WORDS, readFormatWords } from '../src/ownership/format-info.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { countOnes, denseMasks, type Masks } from '../src/pruning/masks.js';
import { pruneGlobal, pruneGlobalToDensity } from '../src/pruning/magnitude.js';
import { Rng } from '../src/engine/rng.js';
import { ConfigError } from '../src/util/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const MESSAGE = 'ticketlab owner 2021';

test('a version-3-H code round trips through the decoder in both polarities', () => {
  const code = encodeQr(MESSAGE);
  assert.equal(code.length, 29 * 29);
  assert.equal(decodeQr(code), MESSAGE);
  assert.equal(decodeQr(code.map((v) => 1 - v)), MESSAGE, 'inverted symbol');
  assert.deepEqual(withFunctionPatterns(code), code, 'the standard function patterns are already there');
  const [a, b] = readFormatWords(code, 29, 0, 0, false);
  assert.ok(H_FORMAT_WORDS.includes(a) && a === b, 'both format copies hold a level-H word');
  assert.ok(mayDecode(code));
  assert.equal(countOnes(Float32Array.from(functionPatternMask())), 244);
  assert.throws(
    () => encodeQr('x'.repeat(25)),
    (e: Error) => e instanceof ConfigError && /24 bytes/.test(e.message),
  );
  assert.equal(encodeQr('x'.repeat(24)).length, 841);
});

function lenetTicket(): { masks: Masks; params: Map<string, { data: Float32Array; shape: readonly number[] }> } {
  const model = createModel('mnist_lenet_300_100');
  initializeModel(model, 7, 'glorot_normal');
  const params = new Map(model.prunableParameters().map(([n, p]) => [n, { data: p.data, shape: p.shape }]));
  const w = new Map([...params].map(([n, p]) => [n, p.data]));
  return { masks: pruneGlobalToDensity(w, denseMasks(model), 0.2), params };
}

const shapesOf = (params: Map<string, { shape: readonly number[] }>) =>
  new Map([...params].map(([n, p]) => [n, p.shape]));

test('signing a LeNet-300-100 ticket writes one window, holds the density, and verifies', () => {
  const { masks, params } = lenetTicket();
  const before = new Map([...masks].map(([n, m]) => [n, m.slice()]));
  const sig = signMask({ masks, weights: params, message: MESSAGE, seed: 1 });
  for (const [n, m] of masks) assert.deepEqual(m, before.get(n), `original mask ${n} untouched`);
  const geo = mapGeometry(params.get(sig.layer)!.shape)!;
  for (const [n, m] of sig.masks) {
    const old = masks.get(n)!;
    if (n !== sig.layer) {
      assert.deepEqual(m, old, `${n} unchanged`);
      continue;
    }
    assert.equal(countOnes(m), countOnes(old), 'kept count of the signed layer held');
    let inside = 0;
    let outside = 0;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === old[i]) continue;
      const r = Math.floor(i / geo.cols) - sig.window.row;
      const c = (i % geo.cols) - sig.window.col;
      if (r >= 0 && r < 29 && c >= 0 && c < 29) inside++;
      else outside++;
    }
    assert.equal(inside, sig.changed);
    assert.equal(outside, sig.compensated);
    assert.equal(sig.compensated, Math.abs(sig.flipsOn - sig.flipsOff));
  }
  const found = verifyMasks(sig.masks, { shapes: shapesOf(params), layer: sig.layer });
  assert.equal(found.found, true);
  assert.equal(found.message, MESSAGE);
  assert.equal(found.layer, sig.layer);
  assert.deepEqual(found.window, sig.window);
  assert.equal(found.keptIsDark, true);
  assert.equal(found.mismatch_rate, 0);
  assert.throws(() => signMask({ masks, weights: params, message: MESSAGE, layer: 'fc3.weight' }), /10×100/);
  assert.throws(() => signMask({ masks, weights: params, message: MESSAGE, layer: 'nope' }), ConfigError);
});

// Measured finding: without retraining, the connections the signature switched on are the ticket's smallest kept
// weights (they were pruned for being small), so further magnitude pruning with the same weights takes them first.
// The code no longer decodes even after 0.1% further pruning; the paper's 20% claim rests on retraining after signing.
test('robustness: the signature does not survive further pruning without retraining (measured)', () => {
  const { masks, params } = lenetTicket();
  const sig = signMask({ masks, weights: params, message: MESSAGE, seed: 1 });
  const w = new Map([...params].map(([n, p]) => [n, p.data]));
  const shapes = shapesOf(params);
  const decodes = (fraction: number) =>
    verifyMasks(pruneGlobal(w, sig.masks, fraction), { shapes, layer: sig.layer }).message === MESSAGE;
  assert.equal(decodes(0), true);
  assert.equal(decodes(0.001), false);
  assert.equal(decodes(0.2), false);
});

test('a never-signed ticket and random masks carry no signature', () => {
  const { masks, params } = lenetTicket();
  const shapes = shapesOf(params);
  assert.equal(verifyMasks(masks, { shapes }).found, false);
  const rng = new Rng(3, 'ownership-random');
  for (let t = 0; t < 20; t++) {
    const density = 0.05 + 0.9 * (t / 19);
    const shape = [100, 29 + (t % 5) * 20];
    const m = Float32Array.from({ length: shape[0]! * shape[1]! }, () => (rng.uniform() < density ? 1 : 0));
    const v = verifyMasks(new Map([['w', m]]), { shapes: new Map([['w', shape]]) });
    assert.equal(v.found, false, `random mask ${t} at density ${density.toFixed(2)}`);
  }
});

test('a conv layer signs and verifies with conv-cell semantics', () => {
  const rng = new Rng(11, 'ownership-conv');
  const shape = [32, 32, 3, 3];
  const data = Float32Array.from({ length: 32 * 32 * 9 }, () => rng.normal());
  const mask = Float32Array.from(data, (v) => (Math.abs(v) > 1.2 ? 1 : 0)); // ≈ 23% of weights kept
  const masks: Masks = new Map([['conv.weight', mask]]);
  const weights = new Map([['conv.weight', { data, shape }]]);
  const sig = signMask({ masks, weights, message: 'conv ticket', seed: 2 });
  assert.equal(sig.layer, 'conv.weight');
  const signed = sig.masks.get('conv.weight')!;
  assert.equal(countOnes(signed), countOnes(mask), 'kept weights held');
  const geo = mapGeometry(shape)!;
  const before = connectivityMap(mask, geo);
  const after = connectivityMap(signed, geo);
  const { row, col } = sig.window;
  for (let o = row; o < row + 29; o++)
    for (let c = col; c < col + 29; c++) {
      const cell = o * 32 + c;
      const kernel = signed.subarray(cell * 9, cell * 9 + 9);
      if (before[cell] === 0 && after[cell] === 1) {
        // a window cell switched on keeps exactly its largest-|θ| weight
        assert.equal(countOnes(kernel), 1);
        const k = data.subarray(cell * 9, cell * 9 + 9).map(Math.abs);
        assert.equal(kernel[k.indexOf(Math.max(...k))], 1);
      }
      if (after[cell] === 0) assert.equal(countOnes(kernel), 0, 'a cell off has its whole kernel pruned');
    }
  const v = verifyMasks(sig.masks, { shapes: new Map([['conv.weight', shape]]) });
  assert.equal(v.message, 'conv ticket');
  assert.deepEqual(v.window, sig.window);
  assert.equal(v.mismatch_rate, 0);
});

test('ticketlab verify: an unsigned stored ticket has no signature; a missing level is one clear line', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-verify-'));
  try {
    const run = runCli([
      '--json',
      'lottery',
      '--model',
      'mnist_lenet_300_100',
      '--levels',
      '1',
      '--steps',
      '20it',
      '--root',
      root,
    ]);
    assert.equal(run.status, 0, run.stderr);
    const [exp] = fs.readdirSync(root).filter((d) => d.startsWith('lottery_'));
    const v = runCli(['--json', 'verify', exp!, '--level', '1', '--layer', 'fc2.weight', '--root', root]);
    assert.equal(v.status, 0, v.stderr);
    const r = v.json<{ found: boolean; message: string | null; test_accuracy: number }>();
    assert.equal(r.found, false);
    assert.equal(r.message, null);
    assert.ok(r.test_accuracy > 0 && r.test_accuracy <= 1);
    const missing = runCli(['verify', exp!, '--level', '5', '--root', root]);
    assert.notEqual(missing.status, 0);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
    assert.match(missing.stderr, /level 5 of lottery_\w+ replicate 1 \(branch main\) does not exist/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
