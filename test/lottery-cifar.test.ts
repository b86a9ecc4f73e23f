// A lottery run on a CIFAR-10 model with generated data in the standard binary format: conv layers pruned at
// their own rate, augmentation on, validation split, and the missing-data error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { writeCifarBatch } from '../src/data/cifar10.js';
import { Rng } from '../src/engine/rng.js';

function fakeCifar(dir: string, perFile: number): void {
  const rng = new Rng(5, 'fake-cifar');
  const files = [
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
    'test_batch.bin',
  ];
  for (const f of files) {
    const labels = Array.from({ length: perFile }, () => rng.int(10));
    // class-dependent colour so there is something to learn
    const images = new Uint8Array(perFile * 3072);
    labels.forEach((l, i) => {
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 1024; p++)
          images[i * 3072 + c * 1024 + p] = Math.min(255, ((l * 25 + c * 60) % 256) + rng.int(40));
    });
    writeCifarBatch(path.join(dir, f), images, labels);
  }
}

test('cifar_conv_2 lottery on generated CIFAR-10 files: layerwise conv/fc/output rates', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-cifar-'));
  try {
    fakeCifar(dir, 40);
    const r = runCli([
      '--json',
      'lottery',
      '--model',
      'cifar_conv_2',
      '--levels',
      '1',
      '--steps',
      '6it',
      '--batch-size',
      '20',
      '--validation',
      '40',
      '--eval-every',
      '3',
      '--augment',
      '--data-dir',
      dir,
      '--root',
      path.join(dir, 'runs'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; layer_density: Record<string, number>; test_accuracy: number });
    assert.equal(rows.length, 2);
    const d = rows[1]!.layer_density;
    assert.ok(Math.abs(d['conv1.weight']! - 0.9) < 0.01, `conv1 ${d['conv1.weight']}`);
    assert.ok(Math.abs(d['conv2.weight']! - 0.9) < 1e-3);
    assert.ok(Math.abs(d['fc1.weight']! - 0.8) < 1e-3);
    assert.ok(Math.abs(d['fc3.weight']! - 0.9) < 0.01);
    assert.ok(rows[1]!.test_accuracy >= 0 && rows[1]!.test_accuracy <= 1);
    const missing = runCli([
      'lottery',
      '--model',
      'cifar_conv_2',
      '--levels',
      '1',
      '--steps',
      '2it',
      '--data-dir',
      path.join(dir, 'nope'),
      '--root',
      path.join(dir, 'runs'),
    ]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /CIFAR-10/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
