// Plant 'n' Seek: task generators, target networks, planting (the masked planted network reproduces the target,
// the full one does not), ground-truth densities, mask-recovery metrics, and the plant / seek commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { noGrad } from '../src/engine/autograd.js';
import { applyMasks, countOnes, totalDensity, type Masks } from '../src/pruning/masks.js';
import {
  CIRCLE_BOUNDARIES,
  circleClass,
  helixPoint,
  makeTask,
  TASK_NAMES,
  type TaskName,
} from '../src/studies/planted/tasks.js';
import { buildTarget, targetEdges, targetForward, targetRequirements } from '../src/studies/planted/targets.js';
import { scoreOutputs } from '../src/studies/planted/score.js';
import { motherNet, plantTarget } from '../src/studies/planted/plant.js';
import { PlantedMlp, mlpWidths } from '../src/studies/planted/mlp.js';
import { maskAgreement } from '../src/studies/planted/metrics.js';
import { plantRun } from '../src/studies/planted/plant-run.js';
import { loadPlantedRun } from '../src/studies/planted/store.js';
import { fitPiecewiseLinear, evalPwl } from '../src/studies/planted/pwl.js';
import { trainOnTask, evaluate } from '../src/studies/planted/train.js';
import { PLANTED_DEFAULTS, PLANTED_TRAINING, PRUNE_BIAS } from '../src/studies/planted/hparams.js';
import { plantedTicketFile } from '../src/studies/planted/planted-ticket.js';
import { seek } from '../src/studies/planted/seek.js';
import { ConfigError } from '../src/util/errors.js';
import { runCli } from './helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-planted-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function std(a: number[]): number {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}

test('task generators: shapes, 90/10 split, ranges and seeded determinism', () => {
  for (const [name, inDim, outDim] of [
    ['relu', 1, 1],
    ['circle', 2, 4],
    ['helix', 1, 3],
  ] as const) {
    const t = makeTask(name, 7);
    assert.equal(t.inDim, inDim);
    assert.equal(t.outDim, outDim);
    assert.equal(t.train.n, 9000);
    assert.equal(t.test.n, 1000);
    assert.equal(t.train.x.length, 9000 * inDim);
    assert.equal(t.test.y.length, 1000 * (name === 'circle' ? 1 : outDim));
    assert.ok(t.train.x.every((v) => v >= -1 && v <= 1));
    const again = makeTask(name, 7);
    assert.deepEqual(again.train.x, t.train.x);
    assert.deepEqual(again.test.y, t.test.y);
    assert.notDeepEqual(makeTask(name, 8).train.x, t.train.x);
  }
  assert.throws(() => makeTask('relu', 1, { trainFraction: 1 }), ConfigError);
});

test('relu and helix: targets plus N(0, 0.01²) noise; noise 0 gives the clean functions', () => {
  const relu = makeTask('relu', 3);
  const res = Array.from(relu.train.x, (x, i) => relu.train.y[i]! - Math.max(0, x));
  assert.ok(Math.abs(std(res) - 0.01) < 0.0005, `relu noise std ${std(res)}`);
  const helix = makeTask('helix', 3);
  const hres: number[] = [];
  helix.train.x.forEach((x, i) => helixPoint(x).forEach((v, j) => hres.push(helix.train.y[3 * i + j]! - v)));
  assert.ok(Math.abs(std(hres) - 0.01) < 0.0005, `helix noise std ${std(hres)}`);
  const clean = makeTask('helix', 3, { noise: 0 });
  const [a, b, c] = helixPoint(clean.test.x[0]!);
  assert.deepEqual([...clean.test.y.subarray(0, 3)], [Math.fround(a), Math.fround(b), Math.fround(c)]);
  // u runs over [2π, 8π]: the third coordinate u/(8π) over [1/4, 1].
  assert.ok(Math.abs(helixPoint(-1)[2] - 0.25) < 1e-12 && Math.abs(helixPoint(1)[2] - 1) < 1e-12);
});

test('circle: rings at 0.2/0.5/0.7 with the expected class balance, ~1% labels moved to a neighbouring ring', () => {
  const t = makeTask('circle', 5);
  const all = { x: new Float32Array([...t.train.x, ...t.test.x]), y: new Int32Array([...t.train.y, ...t.test.y]) };
  const counts = [0, 0, 0, 0];
  let flipped = 0;
  for (let i = 0; i < 10_000; i++) {
    const r2 = all.x[2 * i]! ** 2 + all.x[2 * i + 1]! ** 2;
    const clean = circleClass(r2);
    const label = all.y[i]!;
    counts[label]!++;
    if (label !== clean) {
      flipped++;
      assert.equal(Math.abs(label - clean), 1, 'a flip moves to a neighbouring ring');
    }
  }
  // Area of the rings inside [-1, 1]² (all boundaries are inside it): π·r² differences over 4.
  const edges = [0, ...CIRCLE_BOUNDARIES];
  const expected = [0, 1, 2].map((k) => (Math.PI * (edges[k + 1]! - edges[k]!)) / 4);
  expected.push(1 - (Math.PI * 0.7) / 4);
  counts.forEach((c, k) =>
    assert.ok(Math.abs(c / 10_000 - expected[k]!) < 0.02, `class ${k}: ${c / 10_000} vs ${expected[k]}`),
  );
  assert.ok(flipped >= 70 && flipped <= 130, `flipped ${flipped} of 10000`);
  assert.equal(circleClass(0.2), 1);
  assert.equal(circleClass(0.19999), 0);
});

test('piecewise-linear fits interpolate smooth functions closely', () => {
  const fit = fitPiecewiseLinear([(s) => s * s, (s) => Math.sin(3 * s)], 0, 1, 10);
  let e0 = 0;
  let e1 = 0;
  for (let i = 0; i <= 1000; i++) {
    const s = i / 1000;
    e0 = Math.max(e0, Math.abs(evalPwl(fit, 0, s) - s * s));
    e1 = Math.max(e1, Math.abs(evalPwl(fit, 1, s) - Math.sin(3 * s)));
  }
  assert.ok(e0 < 2.5e-3 && e1 < 2.5e-2, `max errors ${e0}, ${e1}`);
  assert.equal(fit.signs[0], 1);
  assert.ok(fit.signs.includes(-1), 'mixed orientations');
});

test('targets solve their tasks near-optimally at every depth', () => {
  for (const depth of [3, 4, 5, 7]) {
    const relu = makeTask('relu', 1, { noise: 0 });
    const r = scoreOutputs(relu, targetForward(buildTarget('relu', depth), relu.test.x, relu.test.n), relu.test);
    assert.ok(r.loss < 1e-12, `relu depth ${depth}: exact, MSE ${r.loss}`);

    const noisy = makeTask('circle', 1);
    const clean = makeTask('circle', 1, { noise: 0 });
    const circle = buildTarget('circle', depth);
    const onClean = scoreOutputs(clean, targetForward(circle, clean.train.x, clean.train.n), clean.train);
    const onNoisy = scoreOutputs(noisy, targetForward(circle, noisy.train.x, noisy.train.n), noisy.train);
    // Label noise caps accuracy near 99%; the fit of r² costs a little near the ring boundaries.
    assert.ok(
      onClean.accuracy! > (depth === 3 ? 0.985 : 0.995),
      `circle depth ${depth}: clean accuracy ${onClean.accuracy}`,
    );
    assert.ok(
      onNoisy.accuracy! > (depth === 3 ? 0.975 : 0.985),
      `circle depth ${depth}: noisy accuracy ${onNoisy.accuracy}`,
    );

    const helixClean = makeTask('helix', 1, { noise: 0 });
    const helix = buildTarget('helix', depth);
    const h = scoreOutputs(helixClean, targetForward(helix, helixClean.test.x, helixClean.test.n), helixClean.test);
    assert.ok(h.loss < 6e-5, `helix depth ${depth}: approximation MSE ${h.loss} (noise alone is 1e-4)`);
  }
  assert.throws(() => buildTarget('circle', 2), /depth >= 3/);
});

function planted(task: TaskName, depth: number, width: number, seed = 1) {
  const data = makeTask(task, seed);
  const target = buildTarget(task, depth);
  const widths = mlpWidths(data.inDim, data.outDim, depth, width);
  const mother = motherNet(widths, seed);
  return { data, target, widths, mother, p: plantTarget(target, mother, widths) };
}

function outputs(
  widths: number[],
  params: Map<string, Float32Array>,
  mask: Masks | null,
  x: Float32Array,
  n: number,
): Float32Array {
  const model = new PlantedMlp(widths);
  model.loadStateDict(params);
  if (mask) applyMasks(model, mask);
  return noGrad(() => model.forward(new Tensor(x, [n, widths[0]!]))).data;
}

test('planting: the net restricted to the planted mask reproduces the target (÷ scale); the full random net does not', () => {
  for (const [task, depth, width] of [
    ['relu', 5, 100],
    ['circle', 5, 40],
    ['circle', 3, 30],
    ['helix', 5, 40],
    ['helix', 4, 30],
  ] as const) {
    const { data, target, widths, mother, p } = planted(task, depth, width);
    const ref = targetForward(target, data.test.x, data.test.n);
    const range = Math.max(...ref.map(Math.abs));
    const masked = outputs(widths, p.params, p.mask, data.test.x, data.test.n);
    const full = outputs(widths, p.params, null, data.test.x, data.test.n);
    let errMasked = 0;
    let errFull = 0;
    ref.forEach((v, i) => {
      const s = p.scale[i % data.outDim]!;
      assert.ok(s > 0);
      errMasked = Math.max(errMasked, Math.abs(masked[i]! / s - v));
      errFull = Math.max(errFull, Math.abs(full[i]! / s - v));
    });
    assert.ok(errMasked < 1e-5 * range, `${task} ${depth}x${width}: masked error ${errMasked} (range ${range})`);
    assert.ok(
      errFull > 0.1 * range,
      `${task} ${depth}x${width}: the random rest changes the output (error ${errFull})`,
    );
    // Only planted edges changed: every weight outside the mask keeps its random mother value (output rows are
    // put in the target's order: row i is mother row matched[L-1][i]).
    let edges = 0;
    const L = widths.length - 1;
    [...p.mask].forEach(([name, m], l) => {
      const w = p.params.get(name)!;
      const w0 = mother.get(name)!;
      const inW = widths[l]!;
      const row = (r: number) => (l === L - 1 ? p.matched[l]![r]! : r);
      for (let i = 0; i < m.length; i++) {
        if (m[i] === 1) {
          edges++;
          assert.notEqual(w[i], 0);
        } else assert.equal(w[i], w0[row(Math.floor(i / inW)) * inW + (i % inW)]);
      }
    });
    assert.equal(edges, targetEdges(target));
  }
});

test('planted weights keep the mother net scale, and a wide mother net matches hidden neurons with agreeing signs', () => {
  const { p, mother } = planted('circle', 5, 100);
  assert.deepEqual(p.fallbacks.slice(0, -1), [0, 0, 0], 'hidden layers: sign-agreeing matches exist');
  for (const [name, m] of p.mask) {
    const w = p.params.get(name)!;
    const planted = [...w].filter((_, i) => m[i] === 1).map(Math.abs);
    const all = [...mother.get(name)!].map(Math.abs);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    // Same order of magnitude as the random weights around them (not the target's raw values).
    assert.ok(
      mean(planted) < 10 * mean(all) && mean(planted) > 0.1 * mean(all),
      `${name}: ${mean(planted)} vs ${mean(all)}`,
    );
  }
});

test("ground-truth densities: the paper's depth-3 values and ~2e-4 to 6e-3 at depth 5, width 100", () => {
  const d5: Record<string, number> = {};
  for (const task of TASK_NAMES) {
    d5[task] = totalDensity(planted(task, 5, 100).p.mask);
    assert.ok(d5[task]! >= 1.9e-4 && d5[task]! <= 6.5e-3, `${task}: ${d5[task]}`);
  }
  assert.ok(d5.relu! < d5.circle! && d5.circle! < d5.helix!);
  const paper3: Record<TaskName, number> = { relu: 0.01, circle: 0.16, helix: 0.29 };
  for (const task of TASK_NAMES) {
    const d3 = totalDensity(planted(task, 3, 100).p.mask);
    assert.ok(Math.abs(d3 - paper3[task]) < 0.015, `${task} depth 3: ${d3} vs paper ${paper3[task]}`);
  }
});

test('planting refuses networks too shallow or too narrow for the target, naming the minimum', () => {
  assert.throws(
    () => plantRun({ task: 'circle', depth: 5, width: 19, seed: 0 }, tmp),
    (e: Error) => e instanceof ConfigError && /width >= 20/.test(e.message),
  );
  assert.throws(() => plantRun({ task: 'helix', depth: 5, width: 29, seed: 0 }, tmp), /width >= 30/);
  assert.throws(() => plantRun({ task: 'relu', depth: 2, width: 10, seed: 0 }, tmp), /depth >= 3/);
  assert.equal(targetRequirements('relu').width, 1);
});

test('mask metrics: precision, recall and Jaccard on hand-built masks, total and per layer', () => {
  const truth: Masks = new Map([
    ['a', Float32Array.of(1, 1, 0, 0)],
    ['b', Float32Array.of(0, 1, 0, 1, 0, 0)],
  ]);
  const found: Masks = new Map([
    ['a', Float32Array.of(1, 0, 1, 1)],
    ['b', Float32Array.of(0, 0, 0, 0, 0, 0)],
  ]);
  const r = maskAgreement(found, truth);
  assert.deepEqual(r.layers.a, { found: 3, truth: 2, both: 1, precision: 1 / 3, recall: 1 / 2, jaccard: 1 / 4 });
  assert.deepEqual(r.layers.b, { found: 0, truth: 2, both: 0, precision: null, recall: 0, jaccard: 0 });
  assert.deepEqual(r.total, { found: 3, truth: 4, both: 1, precision: 1 / 3, recall: 1 / 4, jaccard: 1 / 6 });
  assert.equal(maskAgreement(truth, truth).total.jaccard, 1);
  assert.throws(() => maskAgreement(new Map([['a', truth.get('a')!]]), truth), /'b' is missing/);
});

test('plant runs are stored, reloaded exactly and reused', () => {
  const root = path.join(tmp, 'store');
  const a = plantRun({ task: 'helix', depth: 4, width: 32, seed: 2 }, root);
  assert.equal(a.reused, false);
  const b = plantRun({ task: 'helix', depth: 4, width: 32, seed: 2 }, root);
  assert.equal(b.reused, true);
  assert.equal(b.dir, a.dir);
  const loaded = loadPlantedRun(a.dir);
  for (const [n, v] of a.params) assert.deepEqual(loaded.params.get(n), v);
  for (const [n, m] of a.mask) assert.deepEqual(loaded.mask.get(n), m);
  assert.deepEqual(loaded.target.weights, a.target.weights);
  assert.equal(loaded.meta.task_seed, 2);
  assert.equal(loaded.meta.planted_edges, targetEdges(a.target));
  assert.equal(countOnes(loaded.mask.get('fc1.weight')!), 1);
  const data = makeTask('helix', loaded.meta.task_seed);
  const out = outputs(loaded.meta.widths, loaded.params, loaded.mask, data.test.x, data.test.n).map(
    (v, i) => v / loaded.meta.scale[i % 3]!,
  );
  assert.ok(Math.abs(scoreOutputs(data, out, data.test).loss - loaded.meta.target_test.loss) < 1e-8);
  assert.notEqual(plantRun({ task: 'helix', depth: 4, width: 32, seed: 3 }, root).dir, a.dir);
});

test('training (Adam 1e-3, batch 32) fits the relu task and keeps masked weights at zero', async () => {
  const task = makeTask('relu', 1);
  const model = new PlantedMlp([1, 16, 16, 1]);
  const { mother, p } = planted('relu', 4, 16);
  model.loadStateDict(mother);
  const before = evaluate(model, task, task.test).loss;
  const mask = new Map([...p.mask].map(([n, m]) => [n, m.map((_, i) => (i % 3 === 0 ? 0 : 1))]));
  applyMasks(model, mask);
  const { steps } = await trainOnTask(model, task, { training: { ...PLANTED_TRAINING, steps: '2ep' }, seed: 0 });
  assert.equal(steps, 2 * Math.ceil(9000 / 32));
  const after = evaluate(model, task, task.test).loss;
  assert.ok(after < 0.01 && after < before / 10, `MSE ${before} -> ${after}`);
  for (const [n, m] of mask)
    model
      .namedParameters()
      .find(([pn]) => pn === n)![1]
      .data.forEach((w, i) => m[i] === 0 && assert.equal(w, 0));
});

test('seek at density 1 keeps everything: recall 1, precision = planted density', async () => {
  const run = plantRun({ task: 'relu', depth: 4, width: 8, seed: 1 }, path.join(tmp, 'seek'));
  const r = await seek(run, {
    pruner: 'magnitude',
    density: 1,
    train: { ...PLANTED_DEFAULTS, training: { ...PLANTED_TRAINING, steps: '0ep' } },
  });
  assert.equal(r.recovery.total.recall, 1);
  assert.equal(r.recovery.total.precision, run.meta.density);
  assert.equal(r.collapse.collapsed, false);
  // Untrained, the planted ticket ÷ scale is the target itself.
  assert.ok(Math.abs(r.planted.init_rescaled.loss - run.meta.target_test.loss) < 1e-9);
  assert.equal(r.ticket.test.loss, r.ticket.init.loss);
});

test('the planted ticket is trained once per planted run and seed; every seek finds it again', async () => {
  const run = plantRun({ task: 'relu', depth: 4, width: 8, seed: 2 }, path.join(tmp, 'seek-shared'));
  const train = { ...PLANTED_DEFAULTS, training: { ...PLANTED_TRAINING, steps: '1ep' } };
  const first = await seek(run, { pruner: 'magnitude', density: 0.5, train });
  const file = plantedTicketFile(run, { train, seed: 0, pruneBias: PRUNE_BIAS });
  assert.ok(fs.existsSync(file), 'stored under the planted run');
  assert.deepEqual((await seek(run, { pruner: 'random', density: 0.1, train })).planted, first.planted);
  fs.rmSync(file);
  assert.deepEqual((await seek(run, { pruner: 'snip', density: 0.1, train })).planted, first.planted, 'retrained');
  fs.writeFileSync(file, '{ damaged');
  assert.deepEqual((await seek(run, { pruner: 'snip', density: 0.5, train })).planted, first.planted, 'damaged');
  const other = await seek(run, { pruner: 'magnitude', density: 0.5, train, seed: 1 });
  assert.notDeepEqual(other.planted.test, first.planted.test, 'another seed trains its own');
});

function assertOneLineError(r: ReturnType<typeof runCli>, pattern: RegExp): void {
  assert.notEqual(r.status, 0, `expected failure: ${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^ticketlab: error: /);
  assert.match(lines[0]!, pattern);
}

test('CLI: plant then seek (single-shot and multishot) report densities, quality and recovery', () => {
  const env = { TICKETLAB_ROOT: path.join(tmp, 'cli') };
  const p = runCli(['--json', 'plant', '--task', 'circle', '--depth', '5', '--width', '24', '--seed', '4'], env);
  assert.equal(p.status, 0, p.stderr);
  const pj = p.json<{
    run: string;
    density: number;
    planted_edges: number;
    total_weights: number;
    target_test_accuracy: number;
    reused: boolean;
  }>();
  assert.ok(fs.existsSync(path.join(pj.run, 'mask.safetensors')));
  assert.equal(pj.planted_edges, 108);
  assert.equal(pj.density, 108 / pj.total_weights);
  assert.ok(pj.target_test_accuracy > 0.97);
  const human = runCli(['plant', '--task', 'circle', '--depth', '5', '--width', '24', '--seed', '4'], env);
  assert.match(human.stdout, /reused the circle target .*planted density 8\.\d+e-2 \(108 of 1296 weights\)/s);

  // Weights only: the planted density keeps exactly as many weights as were planted.
  const weightsOnly = ['--steps', '1ep', '--no-prune-bias'];

  const s = runCli(
    [...['--json', 'seek', '--planted', pj.run, '--pruner', 'magnitude', '--density', 'planted'], ...weightsOnly],
    env,
  );
  assert.equal(s.status, 0, s.stderr);
  type R = {
    density: number;
    planted_density: number;
    ticket: { test: { accuracy: number } };
    planted: { test: { accuracy: number }; init_rescaled: { accuracy: number } };
    recovery: {
      total: { found: number; truth: number; precision: number; recall: number; jaccard: number };
      layers: Record<string, unknown>;
    };
    collapse: { collapsed: boolean };
  };
  const sj = s.json<R>();
  assert.equal(sj.density, pj.density);
  assert.equal(sj.planted_density, pj.density);
  assert.equal(sj.recovery.total.found, 108);
  assert.equal(sj.recovery.total.truth, 108);
  assert.equal(sj.recovery.total.precision, sj.recovery.total.recall, 'same size: precision = recall');
  assert.deepEqual(Object.keys(sj.recovery.layers), ['fc1.weight', 'fc2.weight', 'fc3.weight', 'fc4.weight']);
  assert.equal(sj.planted.init_rescaled.accuracy, pj.target_test_accuracy);
  assert.ok(sj.ticket.test.accuracy > 0.25 && sj.planted.test.accuracy > 0.25);
  assert.equal(typeof sj.collapse.collapsed, 'boolean');
  // Stored under the planted run: the same command finds it instead of training again.
  const again = runCli(
    [...['--json', 'seek', '--planted', pj.run, '--pruner', 'magnitude', '--density', 'planted'], ...weightsOnly],
    env,
  );
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual({ ...again.json<R & { reused: boolean }>(), reused: false }, { ...sj, reused: false });
  assert.equal(again.json<{ reused: boolean }>().reused, true);
  assert.equal(fs.readdirSync(path.join(pj.run, 'seeks')).length, 1);

  // The default prunes biases too: the planted density is then the kept fraction of weights and biases together.
  const b = runCli(['--json', 'seek', '--planted', pj.run, '--pruner', 'magnitude', '--density', 'planted'], env);
  assert.equal(b.status, 0, b.stderr);
  const bj = b.json<R & { prune_bias: boolean; weight_density: number }>();
  assert.equal(bj.prune_bias, true);
  const params = pj.total_weights + 24 * 3 + 4;
  assert.ok(Math.abs(bj.density - Math.round(pj.density * params) / params) < 1e-12, `density ${bj.density}`);
  assert.deepEqual(Object.keys(bj.recovery.layers), ['fc1.weight', 'fc2.weight', 'fc3.weight', 'fc4.weight']);
  assert.equal(fs.readdirSync(path.join(pj.run, 'seeks')).length, 2, 'stored apart from the weights-only seek');

  const m = runCli(
    [
      'seek',
      '--planted',
      path.basename(pj.run),
      '--pruner',
      'synflow',
      '--density',
      '0.2',
      '--multishot',
      '--rounds',
      '2',
      '--steps',
      '1ep',
      '--scope',
      'local',
    ],
    env,
  );
  assert.equal(m.status, 0, m.stderr);
  assert.match(
    m.stdout,
    /synflow \(local, multishot 2 rounds\) at density 2\.004e-1 \(weights and biases; weights alone 1\.998e-1\)/,
  );
  assert.match(m.stdout, /mask vs ground truth/);
  assert.match(m.stdout, /fc4\.weight/);
});

test('CLI: bad input gives one readable line and a non-zero exit', () => {
  const env = { TICKETLAB_ROOT: path.join(tmp, 'cli-bad') };
  assertOneLineError(runCli(['plant', '--task', 'spiral'], env), /--task must be one of relu, circle, helix/);
  assertOneLineError(runCli(['plant', '--task', 'circle', '--width', '8'], env), /circle target needs width >= 20/);
  assertOneLineError(runCli(['plant', '--task', 'relu', '--depth', '2'], env), /depth >= 3/);
  const p = runCli(['--json', 'plant', '--task', 'relu', '--depth', '3', '--width', '4'], env);
  assert.equal(p.status, 0, p.stderr);
  const run = p.json<{ run: string }>().run;
  assertOneLineError(
    runCli(['seek', '--planted', run, '--pruner', 'oracle', '--density', '0.5'], env),
    /unknown pruner 'oracle'/,
  );
  for (const d of ['0', '1.5', 'half', '-0.1'])
    assertOneLineError(
      runCli(['seek', '--planted', run, '--pruner', 'random', '--density', d], env),
      /--density must be a number in \(0, 1\] or 'planted'/,
    );
  assertOneLineError(
    runCli(['seek', '--planted', path.join(tmp, 'nowhere'), '--pruner', 'random', '--density', '0.5'], env),
    /no planted run at/,
  );
  assertOneLineError(
    runCli(['seek', '--planted', run, '--pruner', 'random', '--density', '0.5', '--rounds', '3'], env),
    /--rounds needs --multishot/,
  );
});
