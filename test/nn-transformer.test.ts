// The sequence-model layers: a tiny pre-norm transformer block with a mask on every matrix trains under AdamW
// with the pruned entries exactly zero, on the dense and the sparse kernels alike; the dispatcher times the
// attention projections on their real row count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward, noGrad } from '../src/engine/autograd.js';
import * as ops from '../src/engine/ops/index.js';
import { Module } from '../src/nn/module.js';
import { Linear } from '../src/nn/layers/linear.js';
import { GELU } from '../src/nn/layers/simple.js';
import { LayerNorm } from '../src/nn/layers/layernorm.js';
import { Embedding } from '../src/nn/layers/embedding.js';
import { LearnedPositions, SinusoidalPositions } from '../src/nn/layers/position.js';
import { MultiHeadAttention } from '../src/nn/layers/attention.js';
import { AdamW } from '../src/nn/optim/adam.js';
import { initializeModel } from '../src/nn/reset.js';
import { chooseKernels } from '../src/nn/dispatch.js';

const [V, S, D, H, MLP] = [11, 6, 8, 2, 16];

/** Token and position embeddings, one pre-norm block (causal attention, GELU MLP), a final norm and an LM head. */
class TinyDecoder extends Module {
  readonly tok = this.addModule('tok', new Embedding(V, D, 0.5));
  readonly pos = this.addModule('pos', new LearnedPositions(S, D, 0.1));
  readonly ln1 = this.addModule('ln1', new LayerNorm(D));
  readonly attn = this.addModule('attn', new MultiHeadAttention(D, H, { causal: true }));
  readonly ln2 = this.addModule('ln2', new LayerNorm(D));
  readonly fc1 = this.addModule('fc1', new Linear(D, MLP));
  readonly act = this.addModule('act', new GELU());
  readonly fc2 = this.addModule('fc2', new Linear(MLP, D));
  readonly lnf = this.addModule('lnf', new LayerNorm(D));
  readonly head = this.addModule('head', new Linear(D, V, false));

  forward(ids: Tensor): Tensor {
    let h = this.pos.forward(this.tok.forward(ids));
    h = ops.add(h, this.attn.forward(this.ln1.forward(h), { lengths: [S, S - 2, S] }));
    h = ops.add(h, this.fc2.forward(this.act.forward(this.fc1.forward(this.ln2.forward(h)))));
    return this.head.forward(this.lnf.forward(h));
  }
}

function maskedDecoder(seed: number, density: number): TinyDecoder {
  const m = new TinyDecoder();
  initializeModel(m, seed, 'glorot_uniform');
  const rng = new Rng(seed, 'tiny-decoder-masks');
  for (const [, p] of m.prunableParameters())
    p.setMask(Float32Array.from({ length: p.size }, () => (rng.uniform() < density ? 1 : 0)));
  return m;
}

function batch(rng: Rng): { ids: Tensor; targets: Int32Array } {
  const ids = Tensor.from(
    Array.from({ length: 3 * S }, () => Math.floor(rng.uniform() * V)),
    [3, S],
  );
  const targets = Int32Array.from({ length: 3 * S }, (_, i) => (i % S === 0 ? -100 : Math.floor(rng.uniform() * V)));
  return { ids, targets };
}

function train(m: TinyDecoder, steps: number): number[] {
  const opt = new AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0.1, beta2: 0.98 });
  const rng = new Rng(5, 'tiny-decoder-data');
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { ids, targets } = batch(rng);
    opt.zeroGrad();
    const loss = ops.crossEntropy(m.forward(ids), targets);
    backward(loss);
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

test('every matrix of a transformer block is prunable and its masked entries stay exactly zero through AdamW', () => {
  for (const kernel of ['dense', 'sparse'] as const) {
    const m = maskedDecoder(3, 0.5);
    const names = m.prunableParameters().map(([n]) => n);
    assert.deepEqual(names, [
      'tok.weight',
      'pos.weight',
      'attn.q_proj.weight',
      'attn.k_proj.weight',
      'attn.v_proj.weight',
      'attn.out_proj.weight',
      'fc1.weight',
      'fc2.weight',
      'head.weight',
    ]);
    for (const [, layer] of m.namedModules()) if (layer instanceof Linear) layer.setKernel(kernel);
    const before = new Map(m.prunableParameters().map(([n, p]) => [n, p.denseCopy()]));
    const losses = train(m, 8);
    assert.ok(losses.every(Number.isFinite), `${kernel}: losses ${losses}`);
    for (const [name, p] of m.prunableParameters()) {
      const w = p.denseCopy();
      const mask = p.mask!;
      let moved = 0;
      for (let i = 0; i < p.size; i++) {
        if (mask[i] === 0) assert.ok(Object.is(w[i], 0), `${kernel} ${name}[${i}] = ${w[i]}`);
        else if (w[i] !== before.get(name)![i]) moved++;
      }
      assert.ok(moved > 0, `${kernel} ${name}: nothing trained`);
    }
  }
});

test('dense and sparse kernels give the same block output and gradients', () => {
  const dense = maskedDecoder(4, 0.3);
  const sparse = maskedDecoder(4, 0.3);
  for (const [, layer] of sparse.namedModules()) if (layer instanceof Linear) layer.setKernel('sparse');
  const { ids, targets } = batch(new Rng(1, 'same'));
  const grads = [dense, sparse].map((m) => {
    const loss = ops.crossEntropy(m.forward(ids), targets);
    backward(loss);
    return { loss: loss.item(), g: m.attn.qProj.weight.grad!.slice(), packed: m.attn.qProj.weight.packed };
  });
  assert.ok(Math.abs(grads[0]!.loss - grads[1]!.loss) < 1e-5);
  assert.equal(grads[1]!.packed, true);
  const active = dense.attn.qProj.weight.active!;
  active.forEach((i, k) => assert.ok(Math.abs(grads[0]!.g[i]! - grads[1]!.g[k]!) < 1e-4, `dW[${i}]`));
});

test('the dispatcher times attention projections on batch × sequence rows', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-kcache-tf-'));
  const prev = process.env.TICKETLAB_KERNEL_CACHE;
  process.env.TICKETLAB_KERNEL_CACHE = path.join(dir, 'k.json');
  try {
    const m = maskedDecoder(6, 0.1);
    noGrad(() => m.forward(batch(new Rng(2)).ids)); // records each layer's input shape
    const choices = chooseKernels(m, 3, 'auto', 1);
    assert.deepEqual(
      choices.map((c) => c.layer),
      ['attn.q_proj', 'attn.k_proj', 'attn.v_proj', 'attn.out_proj', 'fc1', 'fc2', 'head'],
    );
    const keys = Object.keys(JSON.parse(fs.readFileSync(process.env.TICKETLAB_KERNEL_CACHE, 'utf8')) as object);
    assert.ok(
      keys.some((k) => k.includes(`linear:${D}x${D}/in${3 * S}x${D}`)),
      keys.join(' '),
    );
    assert.deepEqual(noGrad(() => m.forward(batch(new Rng(2)).ids)).shape, [3, S, V]);
  } finally {
    if (prev === undefined) delete process.env.TICKETLAB_KERNEL_CACHE;
    else process.env.TICKETLAB_KERNEL_CACHE = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('layer norm, embedding and position layers: parameters, shapes, errors', () => {
  const ln = new LayerNorm(4, { bias: false, eps: 1e-6 });
  assert.deepEqual(
    ln.namedParameters().map(([n]) => n),
    ['weight'],
  );
  assert.equal(ln.weight.prunable, false);
  const emb = new Embedding(5, 3);
  emb.resetParameters(new Rng(1));
  const y = emb.forward(Tensor.from([4, 0, 4, 1], [2, 2]));
  assert.deepEqual(y.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(y.data.subarray(0, 3)), Array.from(emb.weight.data.subarray(12, 15)));
  assert.deepEqual(Array.from(emb.lookup(Int32Array.of(2), [1, 1]).data), Array.from(emb.weight.data.subarray(6, 9)));
  assert.throws(() => emb.forward(Tensor.from([0.5])), /ids must be integers/);
  assert.throws(() => emb.forward(Tensor.from([5])), /index 5 out of range/);
  const sin = new SinusoidalPositions(4, 3);
  assert.deepEqual(sin.namedParameters(), []);
  assert.deepEqual(sin.stateDict().size, 0);
  const x = Tensor.zeros([2, 3, 3]);
  assert.ok(Math.abs(sin.forward(x, 1).data[0]! - Math.sin(1)) < 1e-6);
  assert.throws(() => new MultiHeadAttention(6, 4), /4 heads do not divide the model width 6/);
});
