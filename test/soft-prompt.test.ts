// Soft prompts and the prompted classifier on an lm_encoder model: gradients of the concatenation and of the prompt
// checked against finite differences, padding that changes nothing, and training where only the prompt, the head
// and a sparse mask of one block's weights move while every other value stays bit-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/engine/tensor.js';
import { backward } from '../src/engine/autograd.js';
import { Rng } from '../src/engine/rng.js';
import { concat } from '../src/engine/ops/concat.js';
import { softmaxCrossEntropy } from '../src/engine/ops/loss.js';
import { createModel } from '../src/models/registry.js';
import type { LanguageModel } from '../src/models/lm.js';
import { PromptedClassifier } from '../src/models/prompted-encoder.js';
import { initializeModel } from '../src/nn/reset.js';
import type { Module } from '../src/nn/module.js';
import type { Parameter } from '../src/nn/parameter.js';
import { SoftPrompt } from '../src/nn/layers/soft-prompt.js';
import { Adam, AdamW } from '../src/nn/optim/adam.js';
import { ElementRestricted, freezeExcept } from '../src/nn/optim/restricted.js';
import { ConfigError } from '../src/util/errors.js';
import { gradCheck, randomTensor } from './helpers/gradcheck.js';

const PAD = 256; // the bytes tokenizer's <pad>

function encoder(seed = 1): LanguageModel {
  const lm = createModel('lm_encoder_1_16', { vocabSize: 260, seqLen: 16 }) as LanguageModel;
  initializeModel(lm, seed, 'gpt2');
  return lm;
}

/** Random byte ids [B, S]; the last `pads` positions of every row are padding. */
function randomIds(rng: Rng, B: number, S: number, pads = 0): Tensor {
  const ids = new Float32Array(B * S);
  for (let i = 0; i < ids.length; i++) ids[i] = i % S >= S - pads ? PAD : rng.int(256);
  return new Tensor(ids, [B, S]);
}

const child = (m: Module, name: string): Module => new Map(m.children()).get(name)!;

test('concat joins along any axis and its gradient matches finite differences', () => {
  const a = Tensor.from([1, 2, 3, 4], [2, 1, 2]);
  const b = Tensor.from([5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 2]);
  assert.deepEqual([...concat([a, b], 1).data], [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
  assert.deepEqual(concat([a, b], -2).shape, [2, 3, 2]);
  assert.throws(() => concat([a, b], 0), /differ outside axis 0/);
  const rng = new Rng(3, 'concat');
  for (const axis of [0, 1, 2]) {
    const shapes = [0, 1, 2].map((k) => [2, 3, 4].map((d, i) => (i === axis ? k + 1 : d)));
    const xs = shapes.map((s) => randomTensor(rng, s));
    gradCheck(`concat axis ${axis}`, xs, () => concat(xs, axis));
  }
  // An input without a gradient, and an empty one, are passed over.
  const x = randomTensor(rng, [2, 3, 4]);
  const fixed = randomTensor(rng, [2, 2, 4], 1, false);
  const empty = randomTensor(rng, [2, 0, 4]);
  gradCheck('concat with a constant', [x, empty], () => concat([fixed, empty, x], 1));
});

test('a soft prompt prepends its vectors to every sequence, or copies token embeddings', () => {
  const table = Tensor.from([0, 0, 1, 1, 2, 2], [3, 2]);
  const prompt = SoftPrompt.fromTokens(table, [2, 1]);
  assert.deepEqual([...prompt.weight.data], [2, 2, 1, 1]);
  const x = Tensor.from([7, 7, 8, 8], [2, 1, 2]);
  const y = prompt.prepend(x);
  assert.deepEqual(y.shape, [2, 3, 2]);
  assert.deepEqual([...y.data], [2, 2, 1, 1, 7, 7, 2, 2, 1, 1, 8, 8]);
  assert.equal(new SoftPrompt(0, 2).prepend(x), x);
  assert.throws(() => SoftPrompt.fromTokens(table, [3]), /outside a vocabulary of 3/);
});

test('prompt gradients through the classifier match finite differences, padded or not', () => {
  const rng = new Rng(5, 'prompt-grad');
  for (const pads of [0, 3]) {
    const clf = new PromptedClassifier(encoder(), { promptLength: 4, classes: 3, padId: PAD, seed: 2 });
    const ids = randomIds(rng, 2, 8, pads);
    // Larger prompt values make the prompt's effect on the logits big enough to measure in float32.
    rng.fillNormal(clf.promptParameter().data, 0, 0.5);
    gradCheck(`prompt (${pads} pads)`, [clf.promptParameter()], () => clf.forward(ids), { eps: 1e-2, atol: 1e-3 });
  }
});

test('with L = 0 the classifier is the plain encoder, mean-pooled', () => {
  const lm = encoder();
  const clf = new PromptedClassifier(lm, { promptLength: 0, classes: 2, seed: 4 });
  const ids = randomIds(new Rng(6, 'ids'), 2, 16);
  const logits = clf.forward(ids);
  // The language model's own modules, Block.forward included, then the mean and the head by hand.
  const pre = (name: string, x: Tensor) => child(lm, name).forward(x);
  const h = pre('ln_f', pre('blocks', pre('pos_emb', pre('tok_emb', ids))));
  const [w, b] = clf.headParameters() as [Parameter, Parameter];
  for (let r = 0; r < 2; r++)
    for (let c = 0; c < 2; c++) {
      let z = b.data[c]!;
      for (let j = 0; j < 16; j++) {
        let mean = 0;
        for (let t = 0; t < 16; t++) mean += h.data[(r * 16 + t) * 16 + j]!;
        z += (w.data[c * 16 + j]! * mean) / 16;
      }
      assert.ok(Math.abs(z - logits.data[r * 2 + c]!) < 1e-5, `logit ${r},${c}: ${z} vs ${logits.data[r * 2 + c]}`);
    }
});

test('padding at the end gives the logits of the shorter input', () => {
  const clf = new PromptedClassifier(encoder(), { promptLength: 4, classes: 3, padId: PAD, seed: 8 });
  const rng = new Rng(9, 'pads');
  const padded = randomIds(rng, 1, 10, 4);
  const short = new Tensor(padded.data.slice(0, 6), [1, 6]);
  const [a, b] = [clf.forward(padded), clf.forward(short)];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(a.data[c]! - b.data[c]!) < 1e-5, `class ${c}`);
});

test('a prompt and input longer than the context is a one-line ConfigError', () => {
  const clf = new PromptedClassifier(encoder(), { promptLength: 4, classes: 2, seed: 1 });
  const rng = new Rng(1, 'ctx');
  assert.deepEqual(clf.forward(randomIds(rng, 1, 12)).shape, [1, 2]);
  assert.throws(
    () => clf.forward(randomIds(rng, 1, 13)),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message === "prompt of 4 vectors plus 13 tokens exceeds the model's context of 16 positions",
  );
  const decoder = createModel('lm_decoder_1_16', { vocabSize: 260, seqLen: 16 }) as LanguageModel;
  assert.throws(() => new PromptedClassifier(decoder, { promptLength: 4, classes: 2, seed: 1 }), ConfigError);
});

test('only the prompt, the head and the masked-in entries of one weight move in training', () => {
  const lm = encoder(3);
  const clf = new PromptedClassifier(lm, { promptLength: 4, classes: 3, padId: PAD, seed: 5 });
  const rng = new Rng(7, 'ltp');
  const sparse = new Map(clf.namedParameters()).get('blocks.0.fc1.weight')!;
  const mask = new Uint8Array(sparse.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < 0.2 ? 1 : 0;
  const trained = [clf.promptParameter(), ...clf.headParameters(), sparse];
  const restore = freezeExcept(clf, new Set(trained));
  const optimizer = new ElementRestricted(new Adam(trained, { lr: 1e-2 }), new Map([[sparse, mask]]));
  const all = new Map([...lm.namedParameters(), ...clf.namedParameters().map(([n, p]) => [`clf.${n}`, p] as const)]);
  const before = new Map([...all].map(([n, p]) => [n, p.data.slice()]));
  for (let step = 0; step < 5; step++) {
    optimizer.zeroGrad();
    const ids = randomIds(rng, 4, 12, step % 3);
    const labels = Int32Array.from({ length: 4 }, () => rng.int(3));
    backward(softmaxCrossEntropy(clf.forward(ids), labels));
    const g = clf.promptParameter().grad!;
    assert.ok(
      g.some((v) => v !== 0),
      `step ${step}: the prompt got no gradient`,
    );
    // Frozen weights are passed through, but backward computes no gradient for them.
    for (const [name, p] of all) if (!trained.includes(p)) assert.equal(p.grad, null, `${name} got a gradient`);
    optimizer.step();
  }
  restore();
  assert.ok(clf.parameters().every((p) => p.requiresGrad));
  for (const [name, p] of all) {
    const was = before.get(name)!;
    if (trained.includes(p) && p !== sparse) {
      assert.ok(
        was.some((v, i) => v !== p.data[i]),
        `${name} did not move`,
      );
      continue;
    }
    for (let i = 0; i < p.size; i++) {
      const moves = p === sparse && mask[i] === 1;
      if (moves) assert.notEqual(p.data[i], was[i], `${name}[${i}] is trainable but did not move`);
      else assert.ok(Object.is(p.data[i], was[i]), `${name}[${i}] is frozen but moved`);
    }
  }
});

test('restricted training refuses weight decay and masks that do not fit', () => {
  const lm = encoder();
  const [, w] = lm.namedParameters().find(([n]) => n === 'blocks.0.fc2.weight')!;
  assert.throws(() => new ElementRestricted(new AdamW([w], { lr: 1e-3 }), new Map()), /weight decay/);
  const adam = new Adam([w], { lr: 1e-3 });
  assert.throws(() => new ElementRestricted(adam, new Map([[w, new Uint8Array(3)]])), /3 entries/);
  assert.throws(() => new ElementRestricted(adam, new Map([[w, new Uint8Array(w.size).fill(2)]])), /0 or 1/);
  const other = lm.parameters()[0]!;
  assert.throws(() => new ElementRestricted(adam, new Map([[other, new Uint8Array(other.size)]])), /not trained/);
});
