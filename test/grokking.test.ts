// The grokking study: t_mem / t_gen from the curve, every control's mask and start, per-layer densities for the
// pruners, the grok command end to end on a small modulus that groks in a few hundred epochs (base, ticket, reuse,
// stop after generalizing), a bit-identical resume after a stop request, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, runCli } from './helpers/cli.js';
import { localPathsIn } from '../src/report/page.js';
import { renderStudyPage, studyFiles } from '../src/studies/pages.js';
import { collectGrokData, formatGrokData, parseGrokData } from '../src/studies/grokking/study-data.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { modularAddition } from '../src/data/modular.js';
import { lossFor } from '../src/training/run-data.js';
import { countOnes, layerDensities, totalDensity } from '../src/pruning/masks.js';
import { pruneAtInit } from '../src/pruning/at-init.js';
import { controlStart, magnitudeMasks } from '../src/studies/grokking/controls.js';
import { firstReaching, type GrokPoint } from '../src/studies/grokking/curve.js';
import { runGrok } from '../src/studies/grokking/run.js';
import type { GrokSettings } from '../src/studies/grokking/settings.js';
import { loadTensors } from '../src/store/weights.js';
import { InterruptedError } from '../src/util/errors.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-grok-'));

test('t_mem and t_gen are the first measured epochs at 95% train and test accuracy', () => {
  const pt = (epoch: number, tr: number, te: number): GrokPoint => ({
    epoch,
    train_loss: 0,
    train_accuracy: tr,
    test_loss: 0,
    test_accuracy: te,
    weight_norm: 1,
  });
  const curve = [pt(0, 0.1, 0.0), pt(10, 0.949, 0.1), pt(20, 0.95, 0.2), pt(30, 1, 0.96), pt(40, 1, 0.9)];
  assert.equal(firstReaching(curve, 'train_accuracy'), 20);
  assert.equal(firstReaching(curve, 'test_accuracy'), 30);
  assert.equal(firstReaching(curve.slice(0, 3), 'test_accuracy'), null);
});

/** A grok MLP at θ0 and a fake "trained" base (θ0 plus noise), with the pieces every control needs. */
function controlInputs() {
  const model = createModel('grok_mlp_11');
  initializeModel(model, 3, model.defaultInit);
  const theta0 = model.stateDict();
  const baseFinal = new Map([...theta0].map(([n, t]) => [n, t.map((v, i) => v + Math.sin(i * 7.1) * 0.3)]));
  const data = modularAddition(11, 0.5, 0);
  return { model, theta0, baseFinal, train: data.train, loss: lossFor(model.objective), keep: 0.3, seed: 1 };
}

test('controls: the ticket, norm-matched dense starts, and masks at the ticket layer densities', () => {
  const i = controlInputs();
  const ticket = magnitudeMasks(i.model, i.baseFinal, i.keep);
  const total = [...ticket.values()].reduce((s, m) => s + m.length, 0);
  assert.equal(
    [...ticket.values()].reduce((s, m) => s + countOnes(m), 0),
    Math.round(0.3 * total),
  );
  const t = controlStart({ kind: 'ticket' }, i);
  for (const [n, m] of t.masks!)
    t.start.get(n)!.forEach((v, k) => assert.equal(v, m[k] ? i.theta0.get(n)![k] : 0, `${n}[${k}]`));
  for (const k of [1, 2] as const) {
    const c = controlStart({ kind: k === 1 ? 'l1' : 'l2' }, i);
    assert.equal(c.masks, null);
    const norm = (w: Map<string, Float32Array>) => {
      let s = 0;
      for (const a of w.values()) for (const v of a) s += k === 1 ? Math.abs(v) : v * v;
      return k === 1 ? s : Math.sqrt(s);
    };
    assert.ok(Math.abs(norm(c.start) / norm(t.start) - 1) < 1e-5, `l${k} norm matches the ticket's`);
  }
  const layers = layerDensities(ticket);
  for (const kind of ['random', 'snip', 'grasp', 'synflow'] as const) {
    const c = controlStart({ kind }, i);
    for (const [n, d] of Object.entries(layerDensities(c.masks!)))
      assert.ok(Math.abs(d - layers[n]!) < 1e-9, `${kind} ${n}: ${d} vs ${layers[n]}`);
    assert.notDeepEqual(c.masks, ticket, `${kind} differs from the ticket`);
  }
  assert.deepEqual(i.model.stateDict(), i.theta0, 'scoring leaves the model as it was');
  const cp = controlStart({ kind: 'checkpoint', epoch: 2000 }, { ...i, baseAt: i.theta0 });
  assert.deepEqual(cp.masks, magnitudeMasks(i.model, i.theta0, i.keep));
});

test('pruneAtInit with a density per layer', () => {
  const i = controlInputs();
  const densities = new Map([
    ['inproj.weight', 0.5],
    ['unembed.weight', 0.2],
  ]);
  const masks = pruneAtInit('magnitude', { model: i.model, seed: 0 }, 0.5, { densities });
  const d = layerDensities(masks);
  assert.ok(Math.abs(d['inproj.weight']! - 0.5) < 1e-3 && Math.abs(d['unembed.weight']! - 0.2) < 1e-3);
  assert.equal(d['embed.weight'], 1, 'layers without a density keep theirs');
  assert.throws(
    () => pruneAtInit('magnitude', { model: i.model, seed: 0 }, 0.5, { densities: new Map([['nope', 0.5]]) }),
    /no prunable weight named 'nope'/,
  );
  assert.ok(totalDensity(masks) < 1);
});

// p = 23 with 80% of the pairs training at lr 3e-3 generalizes within a few hundred epochs (measured: 820).
const small = ['grok', '--model', 'grok_mlp_23', '--train-fraction', '0.8', '--lr', '0.003', '--epochs', '1000'];
const smallGrid = { seeds: 1, p: 23, trainFraction: 0.8, lr: 0.003, epochs: 1000, mlpOnly: true };

test('grok: the dense base, its ticket (training the base first), reuse, and the study page from the runs', () => {
  const root = tmp();
  const out = tmp();
  try {
    const r = runCli(['--json', ...small, '--control', 'ticket', '--root', root]);
    assert.equal(r.status, 0, r.stderr);
    type Line = { control: string; t_mem: number; t_gen: number | null; epochs: number; density: number; run: string };
    const ticket = r.json<Line>();
    assert.equal(ticket.control, 'ticket');
    assert.ok(Math.abs(ticket.density - 0.4) < 1e-3);
    // Training stops 500 epochs after generalizing, or at --epochs.
    assert.ok(ticket.t_gen !== null && ticket.epochs === Math.min(ticket.t_gen + 500, 1000), JSON.stringify(ticket));
    const seedDir = path.join(root, ticket.run, 'seed_0');
    const base = JSON.parse(fs.readFileSync(path.join(seedDir, 'dense', 'result.json'), 'utf8')) as Line;
    assert.ok(base.t_gen !== null && base.t_mem <= base.t_gen && base.density === 1);
    // The ticket's pruned weights are exactly zero after training, under AdamW's weight decay.
    const mask = loadTensors(path.join(seedDir, 'ticket', 'mask.safetensors')).values;
    const final = loadTensors(path.join(seedDir, 'ticket', 'final.safetensors')).values;
    for (const [n, m] of mask) m.forEach((v, k) => v === 0 && assert.equal(final.get(n)![k], 0, `${n}[${k}]`));
    const again = runCli(['--json', ...small, '--control', 'ticket', '--root', root]);
    assert.equal(again.json<{ reused: boolean }>().reused, true);
    const dense = runCli(['--json', ...small, '--root', root]).json<Line & { reused: boolean }>();
    assert.equal(dense.reused, true);
    assert.equal(dense.t_gen, base.t_gen);

    // The study's data file and page from these two runs (the other controls are missing, and said to be).
    const grid = { ...smallGrid, root };
    const data = collectGrokData(grid, 'npm run repro:grokking -- --seeds 1 --p 23');
    assert.deepEqual(
      data.runs.map((x) => x.control),
      ['dense', 'ticket'],
    );
    const text = formatGrokData(data);
    assert.deepEqual(parseGrokData(text), data);
    assert.deepEqual(localPathsIn(text, [root]), []);
    const files = studyFiles('grokking', repoRoot, out);
    fs.mkdirSync(path.dirname(files.data), { recursive: true });
    fs.writeFileSync(files.data, text);
    const page = renderStudyPage('grokking', files.template, files.data);
    assert.deepEqual(localPathsIn(page, [root, repoRoot]), []);
    assert.doesNotMatch(page, /\{\{|\}\}/);
    assert.match(page, /SMOKE-TEST RUN/);
    assert.match(page, /\*\*Incomplete:\*\* 2 of 11 runs/);
    assert.match(page, /\| grok_mlp_23 \| random +\| +0 \| +— \|.*not run yet/);
    assert.match(page, /runs are shorter than epoch 2000/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('grok: a stop request saves a checkpoint; the rerun ends exactly like an uninterrupted run', async () => {
  const settings: GrokSettings = {
    model: 'grok_mlp_23',
    p: 23,
    trainFraction: 0.8,
    lr: 0.003,
    weightDecay: 1,
    epochs: 400,
    patience: 0,
    seed: 2,
    control: { kind: 'dense' },
    keep: 0.4,
  };
  const a = tmp();
  const b = tmp();
  try {
    const whole = await runGrok({ settings, root: a, checkpointEvery: 100 });
    const stop = new AbortController();
    await assert.rejects(
      runGrok({
        settings,
        root: b,
        checkpointEvery: 100,
        signal: stop.signal,
        onEpoch: (e) => e === 250 && stop.abort(),
      }),
      InterruptedError,
    );
    const resumed = await runGrok({ settings, root: b, checkpointEvery: 100 });
    assert.deepEqual(resumed.curve, whole.curve);
    assert.equal(resumed.epochs, 400);
    assert.deepEqual(
      loadTensors(path.join(resumed.dir, 'final.safetensors')).values,
      loadTensors(path.join(whole.dir, 'final.safetensors')).values,
    );
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});

test('grok: bad input is one readable line and stores nothing', () => {
  const root = tmp();
  try {
    const cases: [string[], RegExp][] = [
      [['--p', '2', '--model', 'grok_mlp'], /--p must be an integer of at least 3/],
      [['--train-fraction', '1'], /--train-fraction must be in \(0, 1\)/],
      [['--keep', '0'], /--keep must be in \(0, 1\]/],
      [['--control', 'checkpoint:300'], /every 2000 epochs/],
      [['--control', 'checkpoint:2000', '--epochs', '1000'], /is not before --epochs 1000/],
      [['--control', 'bogus'], /unknown control 'bogus'/],
      [['--model', 'mnist_lenet_300_100'], /trains grok_mlp_<p> or grok_transformer_<p>/],
      [['--model', 'grok_mlp_23', '--p', '29'], /names p = 23 but --p is 29/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(['grok', ...args, '--root', root]);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.deepEqual(fs.readdirSync(root), []);
    // A control whose base never generalizes within the epochs: one line, and the base stays stored for reuse.
    const r = runCli(['grok', '--model', 'grok_mlp_23', '--epochs', '50', '--control', 'ticket', '--root', root]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /did not generalize within 50 epochs, so it has no grokking ticket/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
