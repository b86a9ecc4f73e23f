// A SuperTickets run stopped mid-way resumes from its last finished epoch and ends exactly where an uninterrupted
// run ends; its checkpoint carries a network whose channels were cut; a damaged checkpoint is set aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSuperTickets, SUPERTICKET_DEFAULTS } from '../src/supertickets/run.js';
import { loadSuperTicketCheckpoint, saveSuperTicketCheckpoint } from '../src/supertickets/checkpoint.js';
import { cutChannels, planCut, slimmingScales } from '../src/supertickets/slimming.js';
import { Supernet } from '../src/models/supernet.js';
import { initializeModel } from '../src/nn/reset.js';
import { denseMasks } from '../src/pruning/masks.js';
import { InterruptedError } from '../src/util/errors.js';
import { loadTensors } from '../src/store/weights.js';

const settings = { ...SUPERTICKET_DEFAULTS, epochs: 3, examples: 1280, testExamples: 500, targetRatio: 0.3 };

test('supertickets: a run stopped in its third epoch resumes and ends bit-identical to one that never stopped', async () => {
  const roots = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tl-st-resume-')));
  try {
    const whole = await runSuperTickets({ settings, root: roots[0]! });
    const stop = new AbortController();
    await assert.rejects(
      runSuperTickets({
        settings,
        root: roots[1]!,
        signal: stop.signal,
        onStep: (step) => (step >= 20 ? stop.abort() : undefined), // 10 steps an epoch: stops in the third
      }),
      InterruptedError,
    );
    const [exp] = fs.readdirSync(roots[1]!).filter((d) => d.startsWith('supertickets_'));
    const seedDir = path.join(roots[1]!, exp!, 'seed_0');
    assert.ok(fs.existsSync(path.join(seedDir, 'checkpoint.safetensors')));
    assert.ok(!fs.existsSync(path.join(seedDir, 'result.json')));
    const resumed = await runSuperTickets({ settings, root: roots[1]! });
    assert.equal(resumed.test_accuracy, whole.test_accuracy);
    assert.equal(resumed.density, whole.density);
    assert.ok(!fs.existsSync(path.join(seedDir, 'checkpoint.safetensors')), 'the checkpoint goes with the result');
    const weights = (root: string) =>
      loadTensors(path.join(root, exp!, 'seed_0', 'final.safetensors')).values.get('blocks.2.k5.dw.weight')!;
    assert.deepEqual(weights(roots[1]!), weights(roots[0]!));
  } finally {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  }
});

test('supertickets checkpoint: a slimmed network, its masks and remembered weights come back as they were', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-st-ck-'));
  try {
    const model = new Supernet('mnist_supernet', 'mnist');
    initializeModel(model, 0, 'kaiming_normal');
    const scales = slimmingScales(model);
    scales.get('blocks.1.k7')!.data.fill(0); // the whole k7 branch of block 1
    scales.get('blocks.3.k3')!.data.subarray(0, 5).fill(0); // five channels of one branch
    const plan = planCut(model, 1e-3);
    const surgery = cutChannels(model, plan, denseMasks(model));
    const masks = surgery.masks!;
    masks.get('blocks.0.k3.expand.weight')![4] = 0;
    const raw = new Map([['blocks.0.k3.expand.weight', Float32Array.from({ length: 512 }, (_, i) => i / 512)]]);
    const file = path.join(dir, 'checkpoint.safetensors');
    const loop = { epoch: 2, step: 40, fraction: 0.2, cut: plan.cut, seconds: 3.5 };
    saveSuperTicketCheckpoint(file, { model: surgery.model, masks, raw, optimizer: new Map(), loop });
    const back = loadSuperTicketCheckpoint(file, 'mnist_supernet', 'mnist')!;
    assert.equal(plan.cut, 32 + 5);
    assert.deepEqual(back.model.arch, surgery.model.arch);
    assert.deepEqual(back.model.stateDict(), surgery.model.stateDict());
    assert.deepEqual(back.masks, masks);
    assert.deepEqual(back.raw, raw);
    assert.deepEqual(back.loop, loop);
    // Damaged: set aside, the run starts over.
    fs.writeFileSync(file, 'not a checkpoint');
    assert.equal(loadSuperTicketCheckpoint(file, 'mnist_supernet', 'mnist'), null);
    assert.ok(fs.existsSync(`${file}.damaged`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
