import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError } from '../src/util/errors.js';
import { BatchSampler } from '../src/data/sampler.js';
import { IGNORE_INDEX, TokenDataset } from '../src/data/token-dataset.js';
import { MlmDataset, maskEpochCallback } from '../src/data/mlm-dataset.js';
import { splitDocuments, type TokenizedDocument } from '../src/data/text-split.js';

const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);

function throwsKind(kind: typeof DataError | typeof ConfigError, fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `not one line: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

// ---------------------------------------------------------------- causal windows

test('TokenDataset: windows of seqLen + 1 tokens, inputs as floats and next-token targets', () => {
  const data = new TokenDataset('tiny', range(0, 21), 32, { seqLen: 4 });
  // Starts 0, 4, 8, 12, 16; a sixth would need token 25.
  assert.equal(data.size, 5);
  assert.deepEqual(data.sampleShape, [4]);
  const { x, y } = data.batch(Int32Array.of(1, 0, 4));
  assert.ok(x instanceof Float32Array && y instanceof Int32Array);
  assert.deepEqual([...x], [4, 5, 6, 7, 0, 1, 2, 3, 16, 17, 18, 19]);
  assert.deepEqual([...y], [5, 6, 7, 8, 1, 2, 3, 4, 17, 18, 19, 20]);

  const strided = new TokenDataset('tiny', range(0, 21), 32, { seqLen: 4, stride: 2 });
  assert.equal(strided.size, 9);
  assert.deepEqual([...strided.batch(Int32Array.of(8)).x], [16, 17, 18, 19]);
  assert.throws(() => strided.batch(Int32Array.of(9)), RangeError);
});

test('TokenDataset: windows stay inside their segment; overlap can be scored once', () => {
  const data = new TokenDataset('two', [range(0, 7), range(100, 104), range(200, 202)], 300, { seqLen: 3 });
  // Segment 1 holds windows at 0 and 3, segment 2 one window, segment 3 is too short for any.
  assert.equal(data.size, 3);
  assert.deepEqual([...data.batch(Int32Array.of(0, 1, 2)).x], [0, 1, 2, 3, 4, 5, 100, 101, 102]);
  assert.deepEqual([...data.batch(Int32Array.of(2)).y], [101, 102, 103]);

  const once = new TokenDataset('once', range(0, 11), 16, { seqLen: 4, stride: 2, scoreEachTokenOnce: true });
  const { y } = once.batch(Int32Array.of(0, 1, 3));
  const I = IGNORE_INDEX;
  assert.deepEqual([...y], [1, 2, 3, 4, I, I, 5, 6, I, I, 9, 10]);
});

test('TokenDataset: bad tokens and lengths are one-line errors', () => {
  throwsKind(DataError, () => new TokenDataset('v', Int32Array.of(1, 2, 9), 9, { seqLen: 1 }), /v: token 9 is outside/);
  throwsKind(DataError, () => new TokenDataset('v', Int32Array.of(1, -1), 9, { seqLen: 1 }), /token -1 is outside/);
  throwsKind(DataError, () => new TokenDataset('short', range(0, 4), 9, { seqLen: 4 }), /no window of 5 tokens/);
  throwsKind(ConfigError, () => new TokenDataset('v', range(0, 4), 9, { seqLen: 0 }), /sequence length/);
  throwsKind(ConfigError, () => new TokenDataset('v', range(0, 4), 9, { seqLen: 1, stride: 0.5 }), /stride/);
});

test('a resumed sampler over token windows gives bit-identical batches', () => {
  const data = new TokenDataset('resume', range(0, 1000), 1000, { seqLen: 7, stride: 5 });
  const full = new BatchSampler(data.size, 16, 42);
  const seen = Array.from({ length: 40 }, () => data.batch(full.next())); // crosses two epoch ends
  const first = new BatchSampler(data.size, 16, 42);
  for (let i = 0; i < 17; i++) first.next();
  const resumed = new BatchSampler(data.size, 16, 42);
  resumed.restore(JSON.parse(JSON.stringify(first.state())));
  for (let i = 17; i < 40; i++) {
    const b = data.batch(resumed.next());
    assert.deepEqual(b.x, seen[i]!.x);
    assert.deepEqual(b.y, seen[i]!.y);
  }
});

// ---------------------------------------------------------------- masked LM

/** Ordinary tokens 4..259 (bytes tokenizer layout: specials 256..259 would be separators and the mask). */
const MASK = 259;
const SPECIALS = [256, 257, 258];
function mlmData(seed: number, n = 4000, seqLen = 32): MlmDataset {
  const tokens = Int32Array.from({ length: n * seqLen }, (_, i) => (i % 97 === 0 ? 258 : (i * 7919) % 256));
  return new MlmDataset('mlm', tokens, 260, { seqLen, seed, maskId: MASK, specialIds: SPECIALS });
}

test('MlmDataset: 15% chosen; of those 80% masked, 10% random, 10% kept; the rest targets IGNORE_INDEX', () => {
  const data = mlmData(3);
  const { x, y } = data.batch(range(0, data.size));
  const tokens = data.windows.segments[0]!;
  let ordinary = 0;
  let chosen = 0;
  let masked = 0;
  let replaced = 0;
  let kept = 0;
  for (let p = 0; p < y.length; p++) {
    const token = tokens[p]!; // windows do not overlap, so position p is token p
    if (SPECIALS.includes(token)) {
      assert.equal(y[p], IGNORE_INDEX, 'a special token is never chosen');
      assert.equal(x[p], token);
      continue;
    }
    ordinary++;
    if (y[p] === IGNORE_INDEX) {
      assert.equal(x[p], token, 'an unchosen token is left alone');
      continue;
    }
    chosen++;
    assert.equal(y[p], token, 'the target is the original token');
    if (x[p] === MASK) masked++;
    else if (x[p] === token) kept++;
    else {
      replaced++;
      assert.ok(!SPECIALS.includes(x[p]!) && x[p]! < 260, 'a random replacement is an ordinary token');
    }
  }
  // ~120K ordinary positions: binomial standard errors are about 0.001 (chosen) and 0.002 (split of the chosen).
  assert.ok(Math.abs(chosen / ordinary - 0.15) < 0.005, `chosen ${chosen / ordinary}`);
  assert.ok(Math.abs(masked / chosen - 0.8) < 0.01, `masked ${masked / chosen}`);
  // A random draw equals the original token 1 time in 256, so "kept" is a hair above 10%.
  assert.ok(Math.abs(replaced / chosen - 0.1) < 0.01, `random ${replaced / chosen}`);
  assert.ok(Math.abs(kept / chosen - 0.1) < 0.01, `kept ${kept / chosen}`);
});

test('MlmDataset: masks depend on (seed, epoch, sample) only, not on the batch a sample lands in', () => {
  const a = mlmData(5, 50);
  const together = a.batch(Int32Array.of(7, 3, 9));
  const alone = [7, 3, 9].map((i) => a.batch(Int32Array.of(i)));
  assert.deepEqual(together.x, Float32Array.from(alone.flatMap((b) => [...b.x])));
  assert.deepEqual(together.y, Int32Array.from(alone.flatMap((b) => [...b.y])));
  assert.deepEqual(mlmData(5, 50).batch(Int32Array.of(7, 3, 9)), together, 'same seed, same masks');
  assert.notDeepEqual(mlmData(6, 50).batch(Int32Array.of(7, 3, 9)).y, together.y, 'another seed, other masks');
  a.epoch = 1;
  assert.notDeepEqual(a.batch(Int32Array.of(7, 3, 9)).y, together.y, 'another epoch, other masks');

  // The callback follows the loop's step: 10 batches per epoch, so step 25 is in epoch 2.
  const cb = maskEpochCallback(a, 10);
  cb.start!(25, true);
  assert.equal(a.epoch, 2);
  cb.afterStep!({ step: 30, loss: 0, lr: 0, seconds: 0 });
  assert.equal(a.epoch, 3);
});

test('MlmDataset: bad settings are ConfigErrors', () => {
  const t = range(0, 64);
  throwsKind(ConfigError, () => new MlmDataset('m', t, 64, { seqLen: 8, seed: 0, maskId: 64 }), /mask token id 64/);
  throwsKind(ConfigError, () => new MlmDataset('m', t, 64, { seqLen: 8, seed: -1, maskId: 1 }), /seed/);
  throwsKind(
    ConfigError,
    () => new MlmDataset('m', t, 64, { seqLen: 8, seed: 0, maskId: 1, maskRate: 0.9, randomRate: 0.2 }),
    /masking rates/,
  );
});

// ---------------------------------------------------------------- splits

/** Documents whose single token says its group and language: group * 10 + language. */
const parallelDocs = (groups: number, langs: number): TokenizedDocument[] =>
  Array.from({ length: groups * langs }, (_, i) => {
    const lang = Math.floor(i / groups);
    const group = i % groups;
    return { ids: Int32Array.of(group * 10 + lang), group: `g${group}` };
  });

test('split by document: whole groups, seeded, shares rounded, at least one each', () => {
  const docs = parallelDocs(31, 3);
  const splits = splitDocuments(docs, { by: 'document', validation: 0.1, test: 0.1, seed: 1 });
  const groupsOf = (segs: Int32Array[]) => new Set(segs.flatMap((s) => [...s].map((t) => Math.floor(t / 10))));
  const [train, val, test_] = [splits.train, splits.validation, splits.test].map(groupsOf);
  assert.deepEqual([train.size, val.size, test_.size], [25, 3, 3]);
  for (const [name, segs] of Object.entries(splits)) {
    const tokens = segs.flatMap((s) => [...s]);
    for (const g of groupsOf(segs))
      for (let lang = 0; lang < 3; lang++) assert.ok(tokens.includes(g * 10 + lang), `${name} lacks language ${lang}`);
  }
  assert.deepEqual(splitDocuments(docs, { by: 'document', validation: 0.1, test: 0.1, seed: 1 }), splits);
  assert.notDeepEqual(splitDocuments(docs, { by: 'document', validation: 0.1, test: 0.1, seed: 2 }), splits);
  const tiny = splitDocuments(docs, { by: 'document', validation: 0.001, test: 0, seed: 1 });
  assert.equal(groupsOf(tiny.validation).size, 1);
  assert.deepEqual(tiny.test, []);
});

test('split by range: contiguous blocks dealt out, covering the stream once', () => {
  const docs = [
    { ids: range(0, 600), group: 'a' },
    { ids: range(600, 1000), group: 'b' },
  ];
  const splits = splitDocuments(docs, { by: 'range', validation: 0.2, test: 0.1, seed: 7, blocks: 10 });
  const all = [...splits.train, ...splits.validation, ...splits.test].sort((p, q) => p[0]! - q[0]!);
  assert.deepEqual(Int32Array.from(all.flatMap((s) => [...s])), range(0, 1000));
  for (const s of all) assert.deepEqual(s, range(s[0]!, s[0]! + s.length), 'a segment is contiguous');
  const tokens = (segs: Int32Array[]) => segs.reduce((n, s) => n + s.length, 0);
  assert.deepEqual([tokens(splits.train), tokens(splits.validation), tokens(splits.test)], [700, 200, 100]);
});

test('split settings that leave nothing to train on are ConfigErrors', () => {
  const docs = parallelDocs(4, 1);
  throwsKind(
    ConfigError,
    () => splitDocuments(docs, { by: 'document', validation: 0.5, test: 0.5, seed: 0 }),
    /none for training/,
  );
  throwsKind(
    ConfigError,
    () => splitDocuments(docs, { by: 'document', validation: 1, test: 0, seed: 0 }),
    /validation fraction/,
  );
  throwsKind(
    ConfigError,
    () => splitDocuments(docs, { by: 'range', validation: 0.1, test: 0, seed: 0, blocks: 5 }),
    /cannot cut 4 tokens/,
  );
});
