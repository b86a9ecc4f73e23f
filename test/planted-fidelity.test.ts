// Plant 'n' Seek against the reference code: the planting fallback keeps random-scale magnitudes, the helix target's
// layout (124 edges at depth 5), least-squares-rescaled MSE, pruned biases staying zero, the 40-sample prune set,
// and the grid giving the same results in parallel processes as in one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { noGrad } from '../src/engine/autograd.js';
import { applyMasks, countOnes } from '../src/pruning/masks.js';
import { pruneAtInit } from '../src/pruning/at-init.js';
import { makeTask } from '../src/studies/planted/tasks.js';
import { buildTarget, targetEdges, targetForward } from '../src/studies/planted/targets.js';
import { rescaledMse, scoreOutputs } from '../src/studies/planted/score.js';
import { motherNet, plantTarget } from '../src/studies/planted/plant.js';
import { PlantedMlp, mlpWidths } from '../src/studies/planted/mlp.js';
import { trainOnTask } from '../src/studies/planted/train.js';
import { PLANTED_TRAINING, PRUNE_SAMPLES } from '../src/studies/planted/hparams.js';
import { pruneSample } from '../src/studies/planted/seek.js';
import { gridRows, type GridOptions } from '../src/studies/planted/grid.js';
import { runGrid } from '../src/studies/planted/grid-run.js';

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

function plantedNet(task: 'circle' | 'helix' | 'relu', depth: number, width: number, seed = 1) {
  const data = makeTask(task, seed);
  const target = buildTarget(task, depth);
  const widths = mlpWidths(data.inDim, data.outDim, depth, width);
  const mother = motherNet(widths, seed);
  return { data, target, widths, mother, p: plantTarget(target, mother, widths) };
}

test("planting fallback: the reference's rule, so planted output weights keep random-scale magnitudes", () => {
  for (const seed of [1, 2, 3]) {
    const { target, widths, mother, p } = plantedNet('circle', 5, 100, seed);
    const L = widths.length - 1;
    assert.equal(p.fallbacks[L - 1], 4, 'no output neuron finds a sign-agreeing match');
    // Target neuron i goes to mother neuron i, with c = |m₀ / θ₁|: its planted weight from the first matched neuron
    // below is ±|m₀|, the mother's own magnitude there.
    assert.deepEqual(p.matched[L - 1], [0, 1, 2, 3]);
    const name = `fc${L}.weight`;
    const inW = widths[L - 1]!;
    const tIn = target.widths[L - 1]!;
    const first = p.matched[L - 2]![0]!;
    for (let i = 0; i < 4; i++) {
      assert.notEqual(target.weights[L - 1]![i * tIn], 0, 'the first edge comes from target neuron 0');
      assert.equal(Math.abs(p.params.get(name)![i * inW + first]!), Math.abs(mother.get(name)![i * inW + first]!));
    }
  }
  // The other planted weights are c·θ: random-scale too, on average (geometric mean of planted / other mean |w|
  // over ten plantings), where a best positive projection made them several times smaller every time.
  for (const task of ['circle', 'helix', 'relu'] as const) {
    const logs = Array.from({ length: 10 }, (_, seed) => {
      const { widths, p } = plantedNet(task, 5, 100, seed);
      const name = `fc${widths.length - 1}.weight`;
      const w = p.params.get(name)!;
      const m = p.mask.get(name)!;
      const planted = [...w].filter((_, i) => m[i]).map(Math.abs);
      const other = [...w].filter((_, i) => !m[i]).map(Math.abs);
      return Math.log(mean(planted) / mean(other));
    });
    const ratio = Math.exp(mean(logs));
    assert.ok(ratio > 1 / 3 && ratio < 3, `${task}: geometric mean planted / other |w| in the output layer ${ratio}`);
  }
});

test('helix target at depth 5: the reference layout, 124 edges, and the planted ticket computes it exactly', () => {
  const t = buildTarget('helix', 5);
  assert.deepEqual(t.widths, [1, 1, 30, 3, 3]);
  assert.equal(targetEdges(t), 124);
  assert.deepEqual(
    t.weights.map((w) => w.filter((v) => v !== 0).length),
    [1, 30, 90, 3],
  );
  assert.deepEqual([...t.biases[3]!], [-1, -1, -1]);
  const { data, widths, p } = plantedNet('helix', 5, 100);
  assert.equal(
    [...p.mask.values()].reduce((s, m) => s + countOnes(m), 0),
    124,
  );
  assert.ok(countOnes(p.mask.get('fc3.weight')!) === 90, 'the coefficients sit in the middle 100×100 layer');
  const model = new PlantedMlp(widths);
  model.loadStateDict(p.params);
  applyMasks(model, p.mask);
  const out = noGrad(() => model.forward(new Tensor(data.test.x, [data.test.n, 1]))).data;
  const ref = targetForward(t, data.test.x, data.test.n);
  let err = 0;
  ref.forEach((v, i) => (err = Math.max(err, Math.abs(out[i]! / p.scale[i % 3]! - v))));
  assert.ok(err < 1e-5, `max error ${err}`);
});

test('LS-rescaled MSE: equals the MSE when the output is optimally scaled, and ignores the output scale', () => {
  const task = makeTask('helix', 1);
  const y = task.test.y;
  const f = Float32Array.from(y, (v, i) => 0.3 * v + 0.05 * Math.sin(i));
  const plain = (o: ArrayLike<number>) => scoreOutputs(task, o, task.test).loss;
  const rescaled = rescaledMse(f, y, 3);
  assert.ok(rescaled < plain(f));
  // Column-wise optimal scaling of f: its plain MSE is the rescaled one, and rescaling again changes nothing.
  const num = [0, 0, 0];
  const den = [0, 0, 0];
  f.forEach((v, i) => ((num[i % 3]! += v * y[i]!), (den[i % 3]! += v * v)));
  const opt = Float64Array.from(f, (v, i) => (v * num[i % 3]!) / den[i % 3]!);
  assert.ok(Math.abs(plain(opt) - rescaled) < 1e-12 * Math.max(1, rescaled));
  assert.ok(Math.abs(rescaledMse(opt, y, 3) - plain(opt)) < 1e-12);
  const scaled = Float64Array.from(f, (v, i) => v * [5, -0.01, 1e3][i % 3]!);
  assert.ok(Math.abs(rescaledMse(scaled, y, 3) - rescaled) < 1e-9 * rescaled);
  assert.equal(scoreOutputs(task, f, task.test).loss_rescaled, rescaled);
  assert.equal(rescaledMse(new Float32Array(y.length), y, 3), plain(new Float32Array(y.length)), 'zero output: λ = 1');
});

test('pruned biases stay exactly zero through training, like pruned weights', async () => {
  const task = makeTask('relu', 1);
  const model = new PlantedMlp([1, 16, 16, 1], true);
  model.loadStateDict(motherNet([1, 16, 16, 1], 1));
  const names = model.prunableParameters().map(([n]) => n);
  assert.ok(names.includes('fc1.bias') && names.includes('fc3.bias'), 'biases are prunable');
  const masks = pruneAtInit('random', { model, seed: 3 }, 0.5);
  const biasKept = [...masks].filter(([n]) => n.endsWith('.bias')).map(([, m]) => countOnes(m));
  assert.ok(
    biasKept.some((k, l) => k < [16, 16, 1][l]!),
    'some biases are pruned',
  );
  applyMasks(model, masks);
  await trainOnTask(model, task, { training: { ...PLANTED_TRAINING, steps: '1ep' }, seed: 0 });
  let moved = 0;
  for (const [n, p] of model.prunableParameters()) {
    const m = masks.get(n)!;
    p.data.forEach((v, i) => {
      if (m[i] === 0) assert.equal(v, 0, `${n}[${i}]`);
      else if (n.endsWith('.bias') && v !== 0) moved++;
    });
  }
  assert.ok(moved > 0, 'kept biases train');
});

test('the SNIP / GraSP prune batch: 40 distinct training samples, fixed by the seed', () => {
  assert.equal(PRUNE_SAMPLES, 40);
  const a = pruneSample(9000, 7);
  assert.equal(a.length, 40);
  assert.equal(new Set(a).size, 40, 'drawn without replacement');
  assert.ok(a.every((i) => i >= 0 && i < 9000));
  assert.deepEqual(pruneSample(9000, 7), a);
  assert.notDeepEqual(pruneSample(9000, 8), a);
  assert.equal(pruneSample(10, 1).length, 10);
});

test('the grid in two worker processes records exactly what it records in one process', async () => {
  const grid: GridOptions = {
    reps: { single: 1, multi: 1 },
    tasks: ['relu'],
    pruners: ['snip'],
    epochs: 1,
    rounds: 2,
    pruneBias: true,
  };
  const roots = [1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-planted-par-')));
  try {
    const serial = await runGrid(roots[0]!, grid, { parallel: 1 });
    const parallel = await runGrid(roots[1]!, grid, { parallel: 2 });
    assert.equal(parallel, serial);
    const strip = (root: string) =>
      gridRows(root, grid).map(({ finished_at: _f, seconds: _s, result, ...row }) => {
        assert.ok(result, `${row.key}: ${row.error}`);
        const { run: _run, seconds: _rs, ...r } = result;
        return { ...row, result: r };
      });
    assert.deepEqual(strip(roots[1]!), strip(roots[0]!));
    assert.equal(await runGrid(roots[1]!, grid, { parallel: 2 }), 0, 'finished configurations are found again');
  } finally {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  }
});
