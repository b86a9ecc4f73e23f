// Ownership beyond the signature itself: the V1 key and lock, attacks on a mask, the owner's claim against chance,
// the trigger set mixed into batches, and the sign / attack / verify / lock / unlock commands end to end on a stored
// run (each makes a branch; the source level is never modified).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pathChain, removePaths, restoreKey } from '../src/ownership/key-lock.js';
import { addConnections, checkAmount, magnitudePrune, randomPrune } from '../src/ownership/attacks.js';
import { claimMessage } from '../src/ownership/claim.js';
import { signMask } from '../src/ownership/sign.js';
import { verifyMasks } from '../src/ownership/verify.js';
import { logBinomialUpperTail, logGamma } from '../src/stats/binomial-tail.js';
import { countOnes, type Masks } from '../src/pruning/masks.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { Rng } from '../src/engine/rng.js';
import { trainStep } from '../src/training/step.js';
import { TensorDataset } from '../src/data/tensor-dataset.js';
import { BatchSampler } from '../src/data/sampler.js';
import { Linear } from '../src/nn/layers/linear.js';
import { buildOptimizer } from '../src/nn/optim/build.js';
import { studyTrainingDefaults } from '../src/hparams/defaults.js';
import { crossEntropy } from '../src/training/loss.js';
import { ConfigError } from '../src/util/errors.js';
import { runCli } from './helpers/cli.js';

function randomMask(rng: Rng, n: number, density: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uniform() < density ? 1 : 0));
}

test('binomial upper tail: exact against direct sums, and far tails stay finite in log space', () => {
  assert.ok(Math.abs(logGamma(10) - Math.log(362880)) < 1e-12);
  for (const [k, n, p] of [
    [0, 10, 0.3],
    [3, 10, 0.3],
    [10, 10, 0.3],
    [7, 20, 0.5],
  ] as const) {
    let direct = 0;
    for (let i = k; i <= n; i++) {
      let c = 1;
      for (let j = 0; j < i; j++) c = (c * (n - j)) / (j + 1);
      direct += c * p ** i * (1 - p) ** (n - i);
    }
    assert.ok(Math.abs(Math.exp(logBinomialUpperTail(k, n, p)) - direct) < 1e-12 * Math.max(1, direct), `${k}/${n}`);
  }
  const far = logBinomialUpperTail(600, 600, 0.5);
  assert.ok(Math.abs(far - 600 * Math.log(0.5)) < 1e-9, 'P(all 600) = 2^-600, far below double range');
  assert.equal(logBinomialUpperTail(11, 10, 0.5), -Infinity);
});

test('the lock removes whole paths through the chain; the key restores exactly what it took', () => {
  const rng = new Rng(5, 'lock-test');
  const shapes = new Map<string, readonly number[]>([
    ['fc1.weight', [30, 40]],
    ['fc2.weight', [20, 30]],
    ['fc3.weight', [10, 20]],
  ]);
  const masks: Masks = new Map([...shapes].map(([n, s]) => [n, randomMask(rng, s[0]! * s[1]!, 0.5)]));
  const layers = new Map(
    [...shapes].map(([n, s]) => [
      n,
      { shape: s, scores: Float32Array.from({ length: s[0]! * s[1]! }, () => rng.uniform()) },
    ]),
  );
  const lock = removePaths({ masks, layers, order: [...shapes.keys()], paths: 15, seed: 1 });
  assert.deepEqual(lock.chain, ['fc1.weight', 'fc2.weight', 'fc3.weight']);
  assert.equal(lock.paths, 15);
  let keyed = 0;
  for (const [n, m] of masks) {
    const locked = lock.masks.get(n)!;
    const key = lock.key.get(n)!;
    for (let i = 0; i < m.length; i++) {
      assert.equal(locked[i]! + key[i]!, m[i], `${n}[${i}]: locked ∪ key = ticket, disjoint`);
      keyed += key[i]!;
    }
  }
  assert.equal(keyed, lock.removed);
  assert.ok(lock.removed > 15 && lock.removed <= 45, `${lock.removed} weights on 15 three-layer paths`);
  // consecutive steps of a path share a unit: every fc2 weight removed leaves from an fc1 unit that lost one too
  const fc1Out = new Set<number>();
  lock.key.get('fc1.weight')!.forEach((v, i) => v && fc1Out.add(Math.floor(i / 40)));
  lock.key.get('fc2.weight')!.forEach((v, i) => v && assert.ok(fc1Out.has(i % 30), 'fc2 path step enters from fc1'));
  const restored = restoreKey(lock.masks, lock.key);
  for (const [n, m] of masks) assert.deepEqual(restored.get(n), m);
  assert.throws(
    () => removePaths({ masks, layers, order: [...shapes.keys()], paths: 100_000, seed: 1 }),
    (e: Error) => e instanceof ConfigError && /fewer --paths/.test(e.message),
  );
});

test("a residual network's path chain skips the 1×1 shortcuts", () => {
  const model = createModel('cifar_resnet_20');
  const params = model.prunableParameters();
  const chain = pathChain(
    params.map(([n]) => n),
    new Map(params.map(([n, p]) => [n, p.shape])),
  );
  assert.ok(chain.length >= 19, `${chain.length} layers`);
  for (let i = 1; i < chain.length; i++) assert.equal(chain[i]![1].cols, chain[i - 1]![1].rows);
  assert.ok(
    chain.every(([n]) => !/shortcut/.test(n)),
    chain.map(([n]) => n).join(' '),
  );
});

test('attacks: exact counts per layer, smallest first, added weights at the layer scale; bad amounts refused', () => {
  const rng = new Rng(9, 'attack-test');
  const w = Float32Array.from({ length: 1000 }, () => rng.normal());
  const m = randomMask(rng, 1000, 0.4);
  const masks: Masks = new Map([['w', m]]);
  const kept = countOnes(m);
  const pruned = magnitudePrune(masks, new Map([['w', w]]), 0.2, 'layerwise').get('w')!;
  assert.equal(countOnes(pruned), kept - Math.round(0.2 * kept));
  let maxGone = 0;
  let minLeft = Infinity;
  for (let i = 0; i < 1000; i++)
    if (m[i] && !pruned[i]) maxGone = Math.max(maxGone, Math.abs(w[i]!));
    else if (pruned[i]) minLeft = Math.min(minLeft, Math.abs(w[i]!));
  assert.ok(maxGone <= minLeft, 'the smallest kept weights go first');
  const random = randomPrune(masks, 0.1, 3).get('w')!;
  assert.equal(countOnes(random), kept - Math.round(0.1 * kept));
  for (let i = 0; i < 1000; i++) assert.ok(random[i]! <= m[i]!, 'random pruning only removes');
  const added = addConnections(masks, new Map([['w', w.map((v, i) => v * m[i]!)]]), 0.1, 3);
  const am = added.masks.get('w')!;
  assert.equal(countOnes(am), kept + Math.round(0.1 * kept));
  for (let i = 0; i < 1000; i++) if (am[i] && !m[i]) assert.notEqual(added.weights.get('w')![i], 0);
  assert.equal(countOnes(m), kept, 'inputs untouched');
  for (const [kind, amount] of [
    ['prune', 1],
    ['add', 0],
    ['finetune', -1],
    ['random-prune', Number.NaN],
  ] as const)
    assert.throws(() => checkAmount(kind, amount), ConfigError);
});

test("the owner's claim: overwhelming for a signed mask even after pruning breaks decoding, chance for others", () => {
  const rng = new Rng(21, 'claim-test');
  const shape = [100, 300] as const;
  const data = Float32Array.from({ length: 30_000 }, () => rng.normal());
  const mask = Float32Array.from(data, (v) => (Math.abs(v) > 0.9 ? 1 : 0)); // ≈ 37% kept
  const shapes = new Map([['fc2.weight', shape]]);
  const sig = signMask({
    masks: new Map([['fc2.weight', mask]]),
    weights: new Map([['fc2.weight', { data, shape }]]),
    message: 'owner',
    seed: 1,
  });
  const signedClaim = claimMessage(sig.masks, { shapes, message: 'owner' });
  assert.deepEqual(signedClaim.window, sig.window);
  assert.equal(signedClaim.mismatches, 0);
  assert.ok(signedClaim.log10_p_value < -100, `${signedClaim.log10_p_value}`);
  const attacked = randomPrune(sig.masks, 0.2, 4);
  assert.equal(verifyMasks(attacked, { shapes }).found, false, 'a linear map loses ~10% of its modules: no decode');
  const attackedClaim = claimMessage(attacked, { shapes, message: 'owner' });
  assert.ok(attackedClaim.mismatch_rate > 0.05 && attackedClaim.mismatch_rate < 0.15, `${attackedClaim.mismatch_rate}`);
  assert.ok(attackedClaim.log10_p_value < -30, `${attackedClaim.log10_p_value}`);
  for (let t = 0; t < 3; t++) {
    const c = claimMessage(new Map([['fc2.weight', randomMask(rng, 30_000, 0.2 + 0.3 * t)]]), {
      shapes,
      message: 'owner',
    });
    assert.ok(c.log10_p_value > -2, `unsigned random mask ${t}: 1e${c.log10_p_value}`);
  }
});

test('a conv signature survives 20% further magnitude pruning: a cell is off only when its whole kernel is', () => {
  const model = createModel('cifar_resnet_20');
  initializeModel(model, 3, 'kaiming_normal');
  const params = model.prunableParameters();
  const weights = new Map(params.map(([n, p]) => [n, { data: p.data, shape: p.shape }]));
  const rng = new Rng(4, 'conv-robust');
  const masks: Masks = new Map(params.map(([n, p]) => [n, randomMask(rng, p.size, 0.3)]));
  const sig = signMask({ masks, weights, message: 'resnet owner', seed: 5 });
  const shapes = new Map(params.map(([n, p]) => [n, p.shape]));
  const w = new Map(params.map(([n, p]) => [n, p.data]));
  const v = verifyMasks(magnitudePrune(sig.masks, w, 0.2, 'global'), { shapes, layer: sig.layer });
  assert.equal(v.message, 'resnet owner');
});

test('a trigger set is appended to every batch, in turn', () => {
  const x = Float32Array.from({ length: 40 }, (_, i) => i);
  const y = Int32Array.from({ length: 20 }, (_, i) => i % 2);
  const data = new TensorDataset('toy', x, y, [2]);
  const model = new Linear(2, 10);
  const seen: number[][] = [];
  const loss = (out: Parameters<typeof crossEntropy>[0], t: Parameters<typeof crossEntropy>[1]) => {
    seen.push([...(t as Int32Array)]);
    assert.equal(out.shape[0], t.length);
    return crossEntropy(out, t);
  };
  const trig = { x: new Float32Array([100, 100, 200, 200, 300, 300]), y: new Int32Array([7, 8, 9]), perBatch: 2 };
  const inputs = {
    model,
    optimizer: buildOptimizer(model.parameters(), studyTrainingDefaults({ optimizer: 'sgd', lr: 0.01 })),
    data,
    sampler: new BatchSampler(20, 4, 0),
    loss,
    mixIn: trig,
  };
  for (let s = 0; s < 3; s++) trainStep(inputs as Parameters<typeof trainStep>[0], s);
  assert.deepEqual(
    seen.map((b) => b.slice(4)),
    [
      [7, 8],
      [9, 7],
      [8, 9],
    ],
  );
});

function filesHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

test('sign, attack, verify, lock and unlock a stored LeNet ticket from the command line', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-own-'));
  const cli = (...args: string[]) => runCli(['--json', ...args, '--root', root]);
  try {
    const run = cli('lottery', '--model', 'mnist_lenet_300_100', '--levels', '1', '--steps', '200it');
    assert.equal(run.status, 0, run.stderr);
    const [exp] = fs.readdirSync(root).filter((d) => d.startsWith('lottery_'));
    const at = (...a: string[]) => [exp!, '--level', '1', ...a];
    const mainDir = path.join(root, exp!, 'replicate_1', 'level_1', 'main');
    const before = filesHash(mainDir);

    const signed = cli(
      'sign',
      ...at('--message', 'lab owner', '--layer', 'fc2.weight', '--retrain-steps', '150', '--triggers', '20'),
    );
    assert.equal(signed.status, 0, signed.stderr);
    const s = signed.json<{ layer: string; density: number; test_accuracy: number; reused: boolean }>();
    assert.equal(s.layer, 'fc2.weight');
    assert.equal(s.reused, false);
    const again = cli(
      'sign',
      ...at('--message', 'lab owner', '--layer', 'fc2.weight', '--retrain-steps', '150', '--triggers', '20'),
    );
    assert.equal(again.json<{ reused: boolean }>().reused, true, 'the same command finds the branch');
    const clash = cli('sign', ...at('--message', 'someone else', '--layer', 'fc2.weight'));
    assert.notEqual(clash.status, 0);
    assert.match(clash.stderr, /made by another command/);

    const v = cli('verify', ...at('--branch', 'signed', '--layer', 'fc2.weight', '--message', 'lab owner'));
    assert.equal(v.status, 0, v.stderr);
    const vr = v.json<{
      found: boolean;
      message: string;
      mismatch_rate: number;
      trigger_accuracy: number;
      claim: { log10_p_value: number };
    }>();
    assert.equal(vr.found, true);
    assert.equal(vr.message, 'lab owner');
    assert.equal(vr.mismatch_rate, 0);
    assert.ok(vr.claim.log10_p_value < -50);
    assert.ok(vr.trigger_accuracy >= 0 && vr.trigger_accuracy <= 1);

    const tuned = cli(
      'attack',
      ...at('--branch', 'signed', '--kind', 'finetune', '--amount', '0.5', '--out-branch', 'tuned'),
    );
    assert.equal(tuned.status, 0, tuned.stderr);
    assert.equal(tuned.json<{ density: number }>().density, s.density, 'masked fine-tuning keeps the mask');
    const vt = cli('verify', ...at('--branch', 'tuned', '--layer', 'fc2.weight'));
    assert.equal(vt.json<{ message: string }>().message, 'lab owner');

    const pruned = cli(
      'attack',
      ...at('--branch', 'signed', '--kind', 'prune', '--amount', '0.2', '--out-branch', 'pruned'),
    );
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.ok(pruned.json<{ density: number }>().density < s.density);

    const forged = cli(
      'attack',
      ...at('--branch', 'signed', '--kind', 'forge', '--message', 'thief', '--out-branch', 'forged'),
    );
    assert.equal(forged.status, 0, forged.stderr);
    const vf = cli('verify', ...at('--branch', 'forged', '--all'));
    const msgs = vf
      .json<{ signatures: { message: string }[] }>()
      .signatures.map((x) => x.message)
      .sort();
    assert.deepEqual(msgs, ['lab owner', 'thief']);

    const locked = cli('lock', ...at('--paths', '30', '--score', 'gradient'));
    assert.equal(locked.status, 0, locked.stderr);
    const l = locked.json<{ paths: number; removed: number; density: number }>();
    assert.equal(l.paths, 30);
    const unlocked = cli('unlock', ...at());
    assert.equal(unlocked.status, 0, unlocked.stderr);
    const u = unlocked.json<{ density: number; test_accuracy: number }>();
    const mainRecord = JSON.parse(fs.readFileSync(path.join(mainDir, 'result.json'), 'utf8')) as {
      density: number;
      test_accuracy: number;
    };
    assert.equal(u.density, mainRecord.density, 'the key restores the ticket exactly');
    assert.equal(u.test_accuracy, mainRecord.test_accuracy, 'and retraining it from θ0 repeats the ticket bit for bit');

    for (const [args, pattern] of [
      [at('--message', 'x'.repeat(30), '--out-branch', 'long'), /24 bytes/],
      [at('--message', 'm', '--layer', 'fc3.weight', '--out-branch', 'small'), /at least 29×29/],
      [[exp!, '--level', '4', '--message', 'm', '--out-branch', 'nolevel'], /no finished level 4/],
      [at('--message', 'm', '--branch', 'nothere', '--out-branch', 'x'), /no finished level 1 on branch 'nothere'/],
      [at('--message', 'm', '--out-branch', 'random_reinit'), /run's own branches/],
    ] as const) {
      const r = cli('sign', ...args);
      assert.notEqual(r.status, 0);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
    const existing = path.join(root, 'key.safetensors');
    fs.writeFileSync(existing, 'mine');
    const keyOut = cli('lock', ...at('--paths', '5', '--out-branch', 'locked2', '--key-out', existing));
    assert.notEqual(keyOut.status, 0);
    assert.match(keyOut.stderr, /exists: --key-out never overwrites/);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'mine');
    const noTriggers = cli('verify', ...at('--triggers', path.join(root, 'none.safetensors')));
    assert.notEqual(noTriggers.status, 0);
    assert.match(noTriggers.stderr, /no trigger set/);
    const badAttack = cli('attack', ...at('--kind', 'prune', '--amount', '1.5', '--out-branch', 'p2'));
    assert.match(badAttack.stderr, /fraction of the kept weights in \(0, 1\)/);
    assert.equal(filesHash(mainDir), before, 'the original ticket is never modified');
    for (const b of ['long', 'small', 'x', 'p2'])
      assert.equal(fs.existsSync(path.join(mainDir, '..', b, 'result.json')), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
