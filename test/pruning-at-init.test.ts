// Pruning at initialization: exact densities for every pruner and scope, scores checked against independent
// float64 computations (SNIP, GraSP's Hessian-vector product, SynFlow incl. its overflow rescaling), GraSP's sign
// convention, SynFlow avoiding the layer collapse that global magnitude pruning causes, multishot's schedule,
// collapse detection, and the `prune` command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../src/engine/rng.js';
import { Tensor } from '../src/engine/tensor.js';
import { add, mul } from '../src/engine/ops/arith.js';
import { relu } from '../src/engine/ops/activation.js';
import { softmaxCrossEntropy } from '../src/engine/ops/loss.js';
import { Conv2d } from '../src/nn/layers/conv.js';
import { Flatten, MaxPool2d, ReLU } from '../src/nn/layers/simple.js';
import { Linear } from '../src/nn/layers/linear.js';
import { Module } from '../src/nn/module.js';
import { Sequential } from '../src/nn/layers/sequential.js';
import { initializeModel } from '../src/nn/reset.js';
import { createModel } from '../src/models/registry.js';
import { countOnes, totalDensity, type Masks } from '../src/pruning/masks.js';
import { pruneAtInit } from '../src/pruning/at-init.js';
import { multishot } from '../src/pruning/multishot.js';
import { layerCollapse } from '../src/pruning/collapse.js';
import { makePruner, PRUNER_NAMES, scoreWeights, type PruneContext } from '../src/pruning/scorers/index.js';
import { prunableGradients } from '../src/pruning/scorers/grad.js';
import { recordKinks, replayKinks } from '../src/pruning/kinks.js';
import { backward } from '../src/engine/autograd.js';
import { native } from '../src/engine/native.js';
import { loadMasks } from '../src/store/weights.js';
import { ConfigError, UserError } from '../src/util/errors.js';
import { runCli } from './helpers/cli.js';

/** Linear layers fc1..fcN with ReLU between them. */
function mlp(widths: number[], seed = 1): Sequential {
  const layers: [string, Module][] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push([`fc${i}`, new Linear(widths[i - 1]!, widths[i]!)]);
    if (i < widths.length - 1) layers.push([`relu${i}`, new ReLU()]);
  }
  const m = new Sequential(layers);
  initializeModel(m, seed, 'kaiming_normal');
  return m;
}

/** Cross-entropy on a fixed random batch. */
function ceContext(
  model: Module,
  inputs: number,
  classes: number,
  n = 32,
  seed = 7,
): PruneContext & { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed, 'batch');
  const x = rng.fillNormal(new Float32Array(n * inputs));
  const y = Int32Array.from({ length: n }, () => rng.int(classes));
  return { model, seed: 3, x, y, lossOnBatch: (m) => softmaxCrossEntropy(m.forward(new Tensor(x, [n, inputs])), y) };
}

function weight(model: Module, name: string): Float32Array {
  return model.namedParameters().find(([n]) => n === name)![1].data;
}

function maskOf(masks: Masks, name: string): Float32Array {
  return masks.get(name)!;
}

function kept(masks: Masks): number {
  return [...masks.values()].reduce((s, m) => s + countOnes(m), 0);
}

test('every pruner hits the exact density, globally and per layer, without resurrecting pruned weights', () => {
  const model = mlp([20, 30, 16, 5]);
  const ctx = ceContext(model, 20, 5);
  const before = model.stateDict();
  const start: Masks = new Map(
    model
      .prunableParameters()
      .map(([n, p]) => [n, new Rng(9, n).fillUniform(new Float32Array(p.size), 0, 1).map((u) => (u < 0.7 ? 1 : 0))]),
  );
  const total = [...start.values()].reduce((s, m) => s + m.length, 0);
  for (const name of PRUNER_NAMES) {
    for (const scope of ['global', 'local'] as const) {
      const densities: number[] = [];
      const masks = pruneAtInit(name, { ...ctx, masks: start }, 0.1, {
        scope,
        rounds: name === 'synflow' ? 20 : undefined,
        onRound: (_, d) => densities.push(d),
      });
      if (scope === 'global') assert.equal(kept(masks), Math.round(0.1 * total), `${name} global`);
      else for (const [n, m] of masks) assert.equal(countOnes(m), Math.round(0.1 * m.length), `${name} local ${n}`);
      for (const [n, m] of masks)
        for (let i = 0; i < m.length; i++)
          if (maskOf(start, n)[i] === 0) assert.equal(m[i], 0, `${name} resurrected ${n}[${i}]`);
      assert.equal(densities.length, name === 'synflow' ? 20 : 1);
      for (let k = 1; k < densities.length; k++) assert.ok(densities[k]! <= densities[k - 1]!, 'density only falls');
    }
  }
  for (const [n, v] of model.stateDict()) assert.deepEqual(v, before.get(n), `model untouched: ${n}`);
  for (const [, p] of model.prunableParameters()) assert.equal(p.mask, null);
});

test('SynFlow rounds follow the exponential schedule and keep pruned weights pruned', () => {
  const model = mlp([12, 10, 4]);
  const total = 12 * 10 + 10 * 4;
  const densities: number[] = [];
  const masks = pruneAtInit('synflow', { model, seed: 0 }, 0.05, { rounds: 10, onRound: (_, d) => densities.push(d) });
  densities.forEach((d, i) => assert.ok(Math.abs(d - 0.05 ** ((i + 1) / 10)) <= 1 / total, `round ${i + 1}: ${d}`));
  assert.equal(kept(masks), Math.round(0.05 * total));
  // Scores of a masked model: pruned weights score −∞, so a later round cannot bring them back.
  const scores = scoreWeights('synflow', { model, seed: 0 }, masks);
  for (const [n, s] of scores)
    for (let i = 0; i < s.length; i++) assert.equal(maskOf(masks, n)[i] === 0, s[i] === -Infinity);
});

test('bad densities, scopes and rounds are ConfigErrors; start masks sparser than the target are refused', () => {
  const model = mlp([4, 3, 2]);
  for (const d of [0, -0.1, 1.5, Number.NaN])
    assert.throws(() => pruneAtInit('magnitude', { model, seed: 0 }, d), /density must be a number in \(0, 1\]/);
  assert.throws(() => pruneAtInit('magnitude', { model, seed: 0 }, 0.5, { rounds: 0 }), ConfigError);
  assert.throws(() => pruneAtInit('magnitude', { model, seed: 0 }, 0.5, { scope: 'layer' as 'local' }), ConfigError);
  assert.throws(() => makePruner('obd' as 'snip'), /unknown pruner 'obd'/);
  assert.throws(() => pruneAtInit('snip', { model, seed: 0 }, 0.5), /needs lossOnBatch/);
  const sparse: Masks = new Map(model.prunableParameters().map(([n, p]) => [n, new Float32Array(p.size)]));
  assert.throws(() => pruneAtInit('magnitude', { model, seed: 0, masks: sparse }, 0.5), /fewer than density/);
  assert.equal(kept(pruneAtInit('magnitude', { model, seed: 0 }, 1)), 18);
});

test('magnitude keeps the largest |θ| across layers', () => {
  const model = mlp([3, 2, 2]);
  weight(model, 'fc1.weight').set([0.1, -5, 0.2, 3, -0.3, 0.05]);
  weight(model, 'fc2.weight').set([-4, 0.15, 0.01, 2]);
  const masks = pruneAtInit('magnitude', { model, seed: 0 }, 0.4); // 4 of 10
  assert.deepEqual([...maskOf(masks, 'fc1.weight')], [0, 1, 0, 1, 0, 0]);
  assert.deepEqual([...maskOf(masks, 'fc2.weight')], [1, 0, 0, 1]);
});

test('SNIP scores equal |g ⊙ θ| / Σ computed by hand on a linear softmax model', () => {
  const [I, O, N] = [5, 3, 8];
  const model = mlp([I, O]);
  const ctx = ceContext(model, I, O, N);
  const W = weight(model, 'fc1.weight');
  const b = weight(model, 'fc1.bias');
  const g = new Float64Array(O * I);
  for (let n = 0; n < N; n++) {
    const z = Array.from(
      { length: O },
      (_, o) => b[o]! + Array.from({ length: I }, (_, i) => W[o * I + i]! * ctx.x[n * I + i]!).reduce((a, c) => a + c),
    );
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, c) => a + c);
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++) g[o * I + i] += ((e[o]! / s - (o === ctx.y[n] ? 1 : 0)) / N) * ctx.x[n * I + i]!;
  }
  const raw = Array.from(g, (v, k) => Math.abs(v * W[k]!));
  const sum = raw.reduce((a, c) => a + c);
  const scores = scoreWeights('snip', ctx).get('fc1.weight')!;
  raw.forEach((v, k) => assert.ok(Math.abs(scores[k]! - v / sum) < 1e-5, `${k}: ${scores[k]} vs ${v / sum}`));
});

/** Exact GraSP scores θ ⊙ Hg / |Σ| for x → relu(W1 x) → W2 h / T, by Pearlmutter's R-operator in float64. */
function graspByHand(
  W1: Float32Array,
  W2: Float32Array,
  x: Float32Array,
  y: Int32Array,
  I: number,
  H: number,
  O: number,
  T: number,
): Float64Array {
  const N = y.length;
  const fwd = (n: number) => {
    const pre = Array.from({ length: H }, (_, j) =>
      Array.from({ length: I }, (_, i) => W1[j * I + i]! * x[n * I + i]!).reduce((a, c) => a + c),
    );
    const h = pre.map((v) => Math.max(v, 0));
    const z = Array.from({ length: O }, (_, o) => h.reduce((a, hj, j) => a + W2[o * H + j]! * hj, 0) / T);
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, c) => a + c);
    return { pre, h, p: e.map((v) => v / s), d: e.map((v, o) => v / s - (o === y[n] ? 1 : 0)) };
  };
  const g1 = new Float64Array(H * I);
  const g2 = new Float64Array(O * H);
  for (let n = 0; n < N; n++) {
    const { pre, h, d } = fwd(n);
    for (let o = 0; o < O; o++) for (let j = 0; j < H; j++) g2[o * H + j] += (d[o]! * h[j]!) / T / N;
    for (let j = 0; j < H; j++) {
      if (pre[j]! <= 0) continue;
      const back = d.reduce((a, dv, o) => a + dv * W2[o * H + j]!, 0) / T;
      for (let i = 0; i < I; i++) g1[j * I + i] += (back * x[n * I + i]!) / N;
    }
  }
  // R-operator along v = g: R{h} = D ⊙ (V1 x), R{z} = (V2 h + W2 R{h}) / T, R{p} = (diag p − p pᵀ) R{z}.
  const r1 = new Float64Array(H * I);
  const r2 = new Float64Array(O * H);
  for (let n = 0; n < N; n++) {
    const { pre, h, p, d } = fwd(n);
    const rh = pre.map((v, j) =>
      v > 0 ? Array.from({ length: I }, (_, i) => g1[j * I + i]! * x[n * I + i]!).reduce((a, c) => a + c) : 0,
    );
    const rz = Array.from(
      { length: O },
      (_, o) => h.reduce((a, hj, j) => a + g2[o * H + j]! * hj + W2[o * H + j]! * rh[j]!, 0) / T,
    );
    const pr = p.reduce((a, pv, o) => a + pv * rz[o]!, 0);
    const rp = p.map((pv, o) => pv * (rz[o]! - pr));
    for (let o = 0; o < O; o++) for (let j = 0; j < H; j++) r2[o * H + j] += (rp[o]! * h[j]! + d[o]! * rh[j]!) / T / N;
    for (let j = 0; j < H; j++) {
      if (pre[j]! <= 0) continue;
      const back = d.reduce((a, dv, o) => a + dv * g2[o * H + j]! + rp[o]! * W2[o * H + j]!, 0) / T;
      for (let i = 0; i < I; i++) r1[j * I + i] += (back * x[n * I + i]!) / N;
    }
  }
  const s = Float64Array.from([...Array.from(r1, (v, k) => v * W1[k]!), ...Array.from(r2, (v, k) => v * W2[k]!)]);
  const norm = Math.abs(s.reduce((a, c) => a + c));
  return s.map((v) => v / norm);
}

test("GraSP's finite-difference Hessian-vector product matches the exact one on a ReLU network", () => {
  const [I, H, O, N, T] = [6, 24, 4, 48, 200];
  const layers = new Sequential([
    ['fc1', new Linear(I, H, false)],
    ['relu', new ReLU()],
    ['fc2', new Linear(H, O, false)],
  ]);
  initializeModel(layers, 2, 'kaiming_normal');
  const ctx = ceContext(layers, I, O, N);
  const exact = graspByHand(weight(layers, 'fc1.weight'), weight(layers, 'fc2.weight'), ctx.x, ctx.y, I, H, O, T);
  const scores = scoreWeights('grasp', ctx);
  const ours = [...scores.get('fc1.weight')!, ...scores.get('fc2.weight')!];
  const scale = Math.max(...exact.map(Math.abs));
  exact.forEach((v, k) => assert.ok(Math.abs(ours[k]! - v) < 2e-3 * scale, `${k}: ${ours[k]} vs ${v}`));
  // The step hardly matters once the ReLU pattern is frozen: a 30x larger one agrees too.
  const coarse = scoreWeights(makePruner('grasp', { grasp: { step: 3e-2 } }), ctx);
  const c = [...coarse.get('fc1.weight')!, ...coarse.get('fc2.weight')!];
  exact.forEach((v, k) => assert.ok(Math.abs(c[k]! - v) < 1e-2 * scale, `coarse ${k}: ${c[k]} vs ${v}`));
});

test('frozen kinks: replaying the ReLU / max-pool pattern makes a bias-free net odd in its input', () => {
  const net = new Sequential([
    ['c', new Conv2d(2, 3, 3, { padding: 1, bias: false })],
    ['r', new ReLU()],
    ['p', new MaxPool2d(2)],
    ['f', new Flatten()],
    ['fc1', new Linear(12, 5, false)],
    ['r2', new ReLU()],
    ['fc2', new Linear(5, 2, false)],
  ]);
  initializeModel(net, 3, 'kaiming_normal');
  const x = new Rng(5, 'x').fillNormal(new Float32Array(2 * 2 * 4 * 4));
  const run = (sign: number) => {
    net.zeroGrad();
    const out = net.forward(
      new Tensor(
        x.map((v) => sign * v),
        [2, 2, 4, 4],
      ),
    );
    backward(out, Float32Array.of(1, -1, 0.5, 2));
    return { out: out.data.slice(), grad: net.prunableParameters().map(([, p]) => p.grad!.slice()) };
  };
  const saved = { f: native.reluForward, b: native.reluBackward, m: native.maxPool2dForward };
  const { result: plus, kinks } = recordKinks(() => run(1));
  const minus = replayKinks(kinks, () => run(-1));
  assert.deepEqual(
    { f: native.reluForward, b: native.reluBackward, m: native.maxPool2dForward },
    saved,
    'kernels restored',
  );
  assert.equal(kinks.relu.length, 2);
  assert.equal(kinks.argmax.length, 1);
  // On one linear piece f(−x) = −f(x), and the weight gradients (δ·inputᵀ with δ fixed by the pattern) flip sign.
  plus.out.forEach((v, i) => assert.ok(Math.abs(minus.out[i]! + v) < 1e-5, `out ${i}`));
  plus.grad.forEach((g, l) =>
    g.forEach((v, i) => assert.ok(Math.abs(minus.grad[l]![i]! + v) < 1e-4, `grad ${l}[${i}]`)),
  );
  const free = run(-1); // without replay the net is not odd
  assert.ok(free.out.some((v, i) => Math.abs(v + plus.out[i]!) > 1e-3));
  assert.throws(
    () => replayKinks(kinks, () => net.forward(new Tensor(new Float32Array(2 * 4 * 4), [1, 2, 4, 4]))),
    /changed between/,
  );
  assert.deepEqual(
    { f: native.reluForward, b: native.reluBackward, m: native.maxPool2dForward },
    saved,
    'restored after an error',
  );
});

test('GraSP sign: removing its lowest-ranked weights keeps the gradient norm higher than removing its highest', () => {
  const model = mlp([10, 32, 4], 5);
  const ctx = ceContext(model, 10, 4, 64);
  const T = 200;
  const tempered = {
    forward: (x: Tensor) => {
      const z = model.forward(x);
      return mul(z, new Tensor(new Float32Array(z.size).fill(1 / T), z.shape));
    },
  } as unknown as Module;
  const gradNorm = (): number => {
    const g = prunableGradients(model, () => ctx.lossOnBatch!(tempered));
    return [...g.values()].reduce((s, v) => s + v.reduce((a, c) => a + c * c, 0), 0);
  };
  const scores = scoreWeights('grasp', ctx);
  const all = [...scores].flatMap(([n, s]) => Array.from(s, (v, i) => ({ n, i, v }))).sort((a, b) => a.v - b.v);
  const k = Math.round(0.1 * all.length);
  const normWithout = (picked: typeof all): number => {
    const saved = model.stateDict();
    for (const { n, i } of picked) weight(model, n)[i] = 0;
    const g = gradNorm();
    model.loadStateDict(saved);
    return g;
  };
  const dense = gradNorm();
  const withoutLowest = normWithout(all.slice(0, k));
  const withoutHighest = normWithout(all.slice(-k));
  assert.ok(withoutLowest > withoutHighest, `‖g‖² without lowest ${withoutLowest}, without highest ${withoutHighest}`);
  assert.ok(withoutLowest > dense, `pruning GraSP's lowest raises ‖g‖² (${withoutLowest} vs dense ${dense})`);
});

test('SynFlow scores of a 2-layer net match a hand computation, and signs are restored', () => {
  const model = mlp([3, 2, 2]);
  const W1 = Float32Array.of(0.5, -1, 2, -0.25, 1.5, -0.75);
  const b1 = Float32Array.of(-0.1, 0.2);
  const W2 = Float32Array.of(1, -2, -0.5, 3);
  const b2 = Float32Array.of(0.3, -0.4);
  weight(model, 'fc1.weight').set(W1);
  weight(model, 'fc1.bias').set(b1);
  weight(model, 'fc2.weight').set(W2);
  weight(model, 'fc2.bias').set(b2);
  const a = (v: number) => Math.abs(v);
  // All-ones input through |θ|: h_j = Σ_i |W1_ji| + |b1_j|; R = Σ_o (Σ_j |W2_oj| h_j + |b2_o|).
  const h = [0, 1].map((j) => a(W1[3 * j]!) + a(W1[3 * j + 1]!) + a(W1[3 * j + 2]!) + a(b1[j]!));
  const R = [0, 1].reduce((s, o) => s + a(W2[2 * o]!) * h[0]! + a(W2[2 * o + 1]!) * h[1]! + a(b2[o]!), 0);
  const col = [0, 1].map((j) => a(W2[j]!) + a(W2[2 + j]!)); // ∂R/∂h_j
  const s1 = Array.from(W1, (w, k) => (a(w) * col[Math.floor(k / 3)]!) / R);
  const s2 = Array.from(W2, (w, k) => (a(w) * h[k % 2]!) / R);
  const scores = scoreWeights('synflow', { model, seed: 0 });
  s1.forEach((v, k) => assert.ok(Math.abs(scores.get('fc1.weight')![k]! - v) < 1e-6, `fc1 ${k}`));
  s2.forEach((v, k) => assert.ok(Math.abs(scores.get('fc2.weight')![k]! - v) < 1e-6, `fc2 ${k}`));
  assert.deepEqual(weight(model, 'fc1.weight'), W1);
  assert.deepEqual(weight(model, 'fc2.bias'), b2);
});

test('SynFlow on a chain whose R overflows float32 is rescaled exactly; a residual one is refused', () => {
  const L = 40;
  const width = 6;
  const model = mlp(new Array(L + 1).fill(width), 4);
  for (const [, p] of model.namedParameters()) for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! * 20;
  // float64 reference: h_l = |W_l| h_{l-1} + |b_l| from h_0 = 1, then δ back from R = Σ h_L, scores |W|·δ·h / R.
  const Ws = Array.from({ length: L }, (_, l) => Array.from(weight(model, `fc${l + 1}.weight`), Math.abs));
  const bs = Array.from({ length: L }, (_, l) => Array.from(weight(model, `fc${l + 1}.bias`), Math.abs));
  const hs: number[][] = [new Array(width).fill(1)];
  for (let l = 0; l < L; l++)
    hs.push(
      Array.from(
        { length: width },
        (_, o) => bs[l]![o]! + hs[l]!.reduce((s, v, i) => s + Ws[l]![o * width + i]! * v, 0),
      ),
    );
  const R = hs[L]!.reduce((s, v) => s + v, 0);
  assert.ok(R > 1e39, `the test needs R beyond float32 (R = ${R})`);
  let delta = new Array(width).fill(1);
  const expected: number[][] = [];
  for (let l = L - 1; l >= 0; l--) {
    expected[l] = Ws[l]!.map((w, k) => (w * delta[Math.floor(k / width)]! * hs[l]![k % width]!) / R);
    delta = Array.from({ length: width }, (_, i) => delta.reduce((s, d, o) => s + d * Ws[l]![o * width + i]!, 0));
  }
  const scores = scoreWeights('synflow', { model, seed: 0 });
  for (let l = 0; l < L; l++)
    expected[l]!.forEach((v, k) => {
      const got = scores.get(`fc${l + 1}.weight`)![k]!;
      assert.ok(Math.abs(got - v) <= 1e-4 * Math.abs(v) + 1e-12, `fc${l + 1}[${k}]: ${got} vs ${v}`);
    });

  class Residual extends Module {
    readonly a = this.addModule('a', new Linear(4, 4));
    readonly b = this.addModule('b', new Linear(4, 4));
    forward(x: Tensor): Tensor {
      let h = x;
      for (let i = 0; i < 30; i++) h = add(h, relu(this.b.forward(relu(this.a.forward(h)))));
      return h;
    }
  }
  const res = new Residual();
  initializeModel(res, 0, 'kaiming_normal');
  for (const p of res.parameters()) p.data.fill(3);
  assert.throws(
    () => scoreWeights('synflow', { model: res, seed: 0, inputShape: [4] }),
    (e: unknown) => e instanceof UserError && /not a chain.*residual/.test(e.message),
  );
});

test('SynFlow avoids the layer collapse that global magnitude pruning causes', () => {
  const model = mlp([20, 40, 40, 40, 5], 6);
  const small = weight(model, 'fc2.weight');
  for (let i = 0; i < small.length; i++) small[i] = small[i]! * 0.02;
  const magnitude = pruneAtInit('magnitude', { model, seed: 0 }, 0.1);
  assert.equal(countOnes(maskOf(magnitude, 'fc2.weight')), 0);
  const m = layerCollapse(model, magnitude);
  assert.equal(m.collapsed, true);
  assert.ok(m.layers.includes('fc2.weight'));
  const synflow = pruneAtInit('synflow', { model, seed: 0 }, 0.1);
  assert.equal(kept(synflow), Math.round(0.1 * 4200));
  assert.deepEqual(layerCollapse(model, synflow), { collapsed: false, layers: [], method: 'paths' });
  for (const [n, mask] of synflow) assert.ok(countOnes(mask) > 0, `synflow keeps weights in ${n}`);
});

test('multishot trains, prunes the trained weights to ρ^(r/R), resets to θ0, and reaches the final density', async () => {
  const model = mlp([16, 12, 8, 3], 8);
  const theta0 = model.stateDict();
  const total = 16 * 12 + 12 * 8 + 8 * 3;
  const seen: number[] = [];
  const reported: number[] = [];
  const masks = await multishot('magnitude', { model, seed: 0 }, 0.05, {
    rounds: 4,
    onRound: (_, d) => reported.push(d),
    train: (m, mk, round) => {
      seen.push(totalDensity(mk));
      assert.equal(seen.length, round);
      assert.equal(m.training, true);
      for (const [n, p] of m.prunableParameters()) {
        const w0 = theta0.get(n)!;
        for (let i = 0; i < p.size; i++)
          assert.equal(p.data[i], mk.get(n)![i] ? w0[i] : 0, `round ${round}: ${n}[${i}] reset to θ0 ⊙ mask`);
        assert.equal(p.mask, mk.get(n));
      }
      // "Training" that makes fc2 dominant: magnitude must then score the trained weights and favour fc2.
      const w = weight(m, 'fc2.weight');
      for (let i = 0; i < w.length; i++) w[i] = w[i]! * 100;
    },
  });
  assert.deepEqual(seen.length, 4);
  seen.forEach((d, r) => assert.ok(Math.abs(d - 0.05 ** (r / 4)) <= 1 / total, `round ${r + 1} starts at ${d}`));
  reported.forEach((d, r) =>
    assert.ok(Math.abs(d - 0.05 ** ((r + 1) / 4)) <= 1 / total, `round ${r + 1} ends at ${d}`),
  );
  assert.equal(kept(masks), Math.round(0.05 * total));
  assert.ok(countOnes(maskOf(masks, 'fc2.weight')) >= Math.round(0.05 * total) - 1, 'fc2 holds (almost) all survivors');
  for (const [n, v] of model.stateDict()) assert.deepEqual(v, theta0.get(n), `model back at θ0: ${n}`);
  await assert.rejects(multishot('magnitude', { model, seed: 0 }, 0.5, { rounds: 0, train: () => {} }), ConfigError);
});

/** Masks for a model from per-layer arrays of 0/1. */
function masksFrom(model: Module, values: Record<string, number[]>): Masks {
  return new Map(
    model
      .prunableParameters()
      .map(([n, p]) => [n, values[n] ? Float32Array.from(values[n]!) : new Float32Array(p.size).fill(1)]),
  );
}

test('layer collapse on hand-built masks: fully connected chains, conv chains by channel, residual nets', () => {
  const net = mlp([2, 2, 2, 1]);
  const ones = { 'fc1.weight': [1, 1, 1, 1], 'fc2.weight': [1, 1, 1, 1], 'fc3.weight': [1, 1] };
  assert.deepEqual(layerCollapse(net, masksFrom(net, ones)), { collapsed: false, layers: [], method: 'paths' });
  // fc2 (rows = outputs) empty
  assert.deepEqual(layerCollapse(net, masksFrom(net, { ...ones, 'fc2.weight': [0, 0, 0, 0] })).layers, ['fc2.weight']);
  // fc1 feeds only hidden unit 0, fc2 reads only hidden unit 1: no path, the gap lies between fc1 and fc2
  const gap = layerCollapse(net, masksFrom(net, { ...ones, 'fc1.weight': [1, 1, 0, 0], 'fc2.weight': [0, 1, 0, 1] }));
  assert.deepEqual(gap, { collapsed: true, layers: ['fc1.weight', 'fc2.weight'], method: 'paths' });
  // a single surviving path is enough
  assert.equal(
    layerCollapse(net, masksFrom(net, { 'fc1.weight': [0, 1, 0, 0], 'fc2.weight': [0, 0, 1, 0], 'fc3.weight': [0, 1] }))
      .collapsed,
    false,
  );
  // fc2 feeds only unit 1 of the second hidden layer, fc3 reads only unit 0
  assert.deepEqual(
    layerCollapse(net, masksFrom(net, { ...ones, 'fc2.weight': [0, 0, 1, 1], 'fc3.weight': [1, 0] })).layers,
    ['fc2.weight', 'fc3.weight'],
  );

  // conv(1→2) → ReLU → pool → conv(2→2) → flatten → linear(2·2·2 → 1) on 1×4×4 inputs
  const conv = new Sequential([
    ['c1', new Conv2d(1, 2, 3, { padding: 1 })],
    ['r1', new ReLU()],
    ['p', new MaxPool2d(2)],
    ['c2', new Conv2d(2, 2, 3, { padding: 1 })],
    ['f', new Flatten()],
    ['fc', new Linear(8, 1)],
  ]);
  initializeModel(conv, 0, 'kaiming_normal');
  const k = (on: boolean) => new Array(9).fill(0).map((_, i) => (on && i === 4 ? 1 : 0));
  const c1Only1 = [...k(false), ...k(true)]; // only output channel 1 of c1 survives
  const c2From0 = [...k(true), ...k(false), ...k(true), ...k(false)]; // c2 reads only channel 0
  const c2From1 = [...k(false), ...k(true), ...k(false), ...k(false)]; // c2: channel 1 → out 0
  const shape = [1, 4, 4];
  assert.equal(
    layerCollapse(conv, masksFrom(conv, { 'c1.weight': c1Only1, 'c2.weight': c2From1 }), shape).collapsed,
    false,
  );
  assert.deepEqual(layerCollapse(conv, masksFrom(conv, { 'c1.weight': c1Only1, 'c2.weight': c2From0 }), shape).layers, [
    'c1.weight',
    'c2.weight',
  ]);
  // fc reads only the 4 features of conv channel 1, but c2 only produces channel 0
  const fcFrom1 = [0, 0, 0, 0, 1, 1, 1, 1];
  assert.deepEqual(
    layerCollapse(conv, masksFrom(conv, { 'c1.weight': c1Only1, 'c2.weight': c2From1, 'fc.weight': fcFrom1 }), shape)
      .layers,
    ['c2.weight', 'fc.weight'],
  );

  const resnet = createModel('cifar_resnet_8');
  const dense = masksFrom(resnet, {});
  assert.deepEqual(layerCollapse(resnet, dense), { collapsed: false, layers: [], method: 'empty-layers' });
  const empty = new Map(dense);
  empty.set('blocks.1.conv2.weight', new Float32Array(dense.get('blocks.1.conv2.weight')!.length));
  assert.deepEqual(layerCollapse(resnet, empty), {
    collapsed: true,
    layers: ['blocks.1.conv2.weight'],
    method: 'empty-layers',
  });
});

test('layers running the sparse (CSR) kernel score and trace like dense ones', () => {
  const model = mlp([10, 12, 4], 11);
  const ctx = ceContext(model, 10, 4);
  const half: Masks = new Map(
    model
      .prunableParameters()
      .map(([n, p]) => [n, Float32Array.from({ length: p.size }, (_, i) => ((i * 7) % 3 === 0 ? 0 : 1))]),
  );
  const dense = ['snip', 'synflow', 'grasp'].map((name) => scoreWeights(name as 'snip', ctx, half));
  for (const [, m] of model.children()) if (m instanceof Linear) m.kernel = 'sparse';
  const sparse = ['snip', 'synflow', 'grasp'].map((name) => scoreWeights(name as 'snip', ctx, half));
  dense.forEach((d, k) => {
    const scale = Math.max(...[...d.values()].flatMap((s) => [...s].filter(Number.isFinite).map(Math.abs)));
    for (const [n, s] of d)
      s.forEach((v, i) =>
        assert.ok(
          v === sparse[k]!.get(n)![i] || Math.abs(v - sparse[k]!.get(n)![i]!) <= 1e-3 * scale,
          `${k} ${n}[${i}]: ${v} vs ${sparse[k]!.get(n)![i]}`,
        ),
      );
  });
  const attached = new Map([...half].map(([n, m]) => [n, m.slice()]));
  for (const [n, p] of model.prunableParameters()) p.setMask(attached.get(n)!);
  assert.equal(layerCollapse(model, half).method, 'paths');
});

test('CLI prune on LeNet-300-100: SNIP and SynFlow with --json and --out, and bad input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-prune-'));
  try {
    const out = path.join(dir, 'mask.safetensors');
    const snip = runCli([
      '--json',
      'prune',
      '--model',
      'mnist_lenet_300_100',
      '--pruner',
      'snip',
      '--density',
      '0.02',
      '--batch-size',
      '64',
      '--out',
      out,
    ]);
    assert.equal(snip.status, 0, snip.stderr);
    const j = snip.json<{
      density: number;
      kept: number;
      total: number;
      layers: Record<string, number>;
      collapsed: boolean;
      collapse_check: string;
      seconds: number;
      rounds: number;
    }>();
    assert.equal(j.total, 266200);
    assert.equal(j.kept, Math.round(0.02 * 266200));
    assert.deepEqual(Object.keys(j.layers), ['fc1.weight', 'fc2.weight', 'fc3.weight']);
    assert.equal(j.collapsed, false);
    assert.equal(j.collapse_check, 'paths');
    assert.equal(j.rounds, 1);
    assert.ok(j.seconds > 0);
    const saved = loadMasks(out, createModel('mnist_lenet_300_100'));
    assert.equal(kept(saved), j.kept);

    const syn = runCli([
      '--json',
      'prune',
      '--model',
      'mnist_lenet_300_100',
      '--pruner',
      'synflow',
      '--density',
      '0.01',
      '--rounds',
      '10',
      '--scope',
      'local',
    ]);
    assert.equal(syn.status, 0, syn.stderr);
    const s = syn.json<{ layers: Record<string, number>; rounds: number; scope: string }>();
    assert.equal(s.rounds, 10);
    assert.equal(s.scope, 'local');
    for (const d of Object.values(s.layers)) assert.ok(Math.abs(d - 0.01) < 1e-3);

    const human = runCli(['prune', '--model', 'mnist_lenet_300_100', '--pruner', 'magnitude', '--density', '0.5']);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /total density 0\.500000 \(133100 of 266200 weights\)/);
    assert.match(human.stdout, /layer collapse: none/);

    const oneLine = (args: string[], pattern: RegExp) => {
      const r = runCli(args);
      assert.notEqual(r.status, 0);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^ticketlab: error: /);
      assert.match(lines[0]!, pattern);
    };
    const base = ['prune', '--model', 'mnist_lenet_300_100'];
    oneLine(
      [...base, '--pruner', 'obd', '--density', '0.1'],
      /--pruner must be one of random, magnitude, snip, grasp, synflow, got 'obd'/,
    );
    oneLine([...base, '--pruner', 'snip', '--density', '0'], /--density must be a number in \(0, 1\].*got '0'/);
    oneLine([...base, '--pruner', 'snip', '--density', '1.5'], /--density must be a number in \(0, 1\]/);
    oneLine([...base, '--pruner', 'snip', '--density', 'lots'], /--density must be a number in \(0, 1\]/);
    oneLine(['prune', '--model', 'mnist_mlp_9', '--pruner', 'snip', '--density', '0.1'], /unknown model 'mnist_mlp_9'/);
    oneLine([...base, '--pruner', 'snip', '--density', '0.1', '--batch-size', '70000'], /larger than the training set/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
