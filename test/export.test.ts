// `ticketlab export`: the CSR safetensors file rebuilds final ⊙ mask exactly (in TS and in numpy) and is far
// smaller than the dense weights at low density; the ONNX graphs reproduce ticketlab's eval-mode logits in
// onnxruntime for every supported family (and pass Debian's onnx checker when it is installed); bad input is
// one line, a non-zero exit and no file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';

// onnxruntime's WebAssembly build: no install script, no download, the same operators; one thread, no workers.
ort.env.wasm.numThreads = 1;
import { runCli, type CliResult } from './helpers/cli.js';
import { decodeSafetensors, loadSafetensors, type DecodedTensor } from '../src/store/safetensors.js';
import { encodeCsrTicket } from '../src/export/csr.js';
import { encodeOnnx } from '../src/export/onnx.js';
import { loadTicket } from '../src/export/ticket.js';
import { createModel } from '../src/models/registry.js';
import { Model } from '../src/models/model.js';
import { Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { noGrad } from '../src/engine/autograd.js';
import { Module } from '../src/nn/module.js';
import { BatchNorm } from '../src/nn/layers/batchnorm.js';
import { initializeModel } from '../src/nn/reset.js';
import { applyMasks, type Masks } from '../src/pruning/masks.js';

const PYTHON = '/usr/bin/python3';
const hasPython = (module: string): boolean =>
  fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
const MODEL = 'mnist_lenet_300_100';

let root: string;
let experiment: string;
let levelDir: string;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-export-'));
  // One-shot to 5% density: level 1 is a sparse ticket, level 0 the dense network.
  const r = runCli([
    '--json',
    'lottery',
    '--model',
    MODEL,
    '--levels',
    '1',
    '--prune-target-density',
    '0.05',
    '--steps',
    '50it',
    '--eval-every',
    '50',
    '--root',
    root,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const row = r.json<{ experiment: string; dir: string; level: number }>();
  assert.equal(row.level, 1);
  experiment = path.join(root, row.experiment);
  levelDir = row.dir;
});

after(() => fs.rmSync(root, { recursive: true, force: true }));

function f32(t: DecodedTensor | undefined, what: string): Float32Array {
  assert.ok(t && t.dtype === 'F32', `${what}: F32 tensor`);
  return t.data as Float32Array;
}

function indices(t: DecodedTensor | undefined, what: string): number[] {
  assert.ok(t && (t.dtype === 'I32' || t.dtype === 'I64'), `${what}: I32 or I64 tensor`);
  return Array.from(t.data as Int32Array | BigInt64Array, Number);
}

/** Dense row-major matrix from CSR arrays, written independently of src/export/csr.ts. */
function denseFromCsr(values: Float32Array, cols: number[], rowPtr: number[], nCols: number): Float32Array {
  const out = new Float32Array((rowPtr.length - 1) * nCols);
  for (let r = 0; r + 1 < rowPtr.length; r++)
    for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) out[r * nCols + cols[k]!] = values[k]!;
  return out;
}

/** final.safetensors ⊙ mask.safetensors, straight from the run's files. */
function maskedFinal(): {
  final: Record<string, DecodedTensor>;
  masked: Map<string, Float32Array>;
  kept: Record<string, number>;
} {
  const final = loadSafetensors(path.join(levelDir, 'final.safetensors')).tensors;
  const mask = loadSafetensors(path.join(levelDir, 'mask.safetensors')).tensors;
  const masked = new Map<string, Float32Array>();
  const kept: Record<string, number> = {};
  for (const [n, m] of Object.entries(mask)) {
    const ones = f32(m, n);
    masked.set(
      n,
      f32(final[n], n).map((w, i) => w * ones[i]!),
    );
    kept[n] = ones.reduce((a, b) => a + b, 0);
  }
  return { final, masked, kept };
}

function exportCli(args: string[]): CliResult {
  return runCli(['--json', 'export', experiment, ...args]);
}

test('CSR safetensors rebuilds final ⊙ mask exactly and is much smaller than dense at 5% density', (t) => {
  const out = path.join(root, 'out', 'ticket.csr.safetensors');
  const r = exportCli(['--level', '1', '--format', 'safetensors', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const res = r.json<{
    file: string;
    bytes: number;
    density: number;
    nnz: Record<string, number>;
    level: number;
    model: string;
  }>();
  assert.equal(res.file, out);
  assert.equal(res.bytes, fs.statSync(out).size);

  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(out));
  assert.equal(metadata.format, 'ticketlab-csr');
  assert.equal(metadata.model, MODEL);
  assert.equal(metadata.level, '1');
  assert.ok(Math.abs(Number(metadata.density) - 0.05) < 0.01, `density ${metadata.density}`);
  assert.deepEqual(JSON.parse(metadata.nnz!), res.nnz);

  const { final, masked, kept } = maskedFinal();
  assert.deepEqual(res.nnz, kept, 'one stored value per mask entry kept');
  for (const [name, want] of masked) {
    const shape = indices(tensors[`${name}.shape`], `${name}.shape`);
    assert.equal(tensors[`${name}.shape`]!.dtype, 'I64');
    assert.deepEqual(shape, final[name]!.shape);
    const values = f32(tensors[`${name}.values`], name);
    const rowPtr = indices(tensors[`${name}.row_ptr`], name);
    assert.equal(rowPtr.length, shape[0]! + 1);
    assert.equal(values.length, kept[name]);
    const dense = denseFromCsr(values, indices(tensors[`${name}.col_indices`], name), rowPtr, want.length / shape[0]!);
    assert.deepEqual(dense, want, `${name}: CSR rebuilds final ⊙ mask`);
  }
  // Everything unpruned is stored dense, unchanged.
  for (const [name, tensor] of Object.entries(final)) {
    if (masked.has(name)) continue;
    assert.deepEqual(tensors[name]!.shape, tensor.shape);
    assert.deepEqual(tensors[name]!.data, tensor.data, name);
  }
  const dense = fs.statSync(path.join(levelDir, 'final.safetensors')).size;
  t.diagnostic(`LeNet-300-100 at ${(100 * res.density).toFixed(1)}%: dense ${dense} bytes, CSR ${res.bytes} bytes`);
  assert.ok(res.bytes < dense * 0.15, `CSR ${res.bytes} bytes vs dense ${dense}`);
});

test(
  'numpy rebuilds the dense weights from the CSR arrays',
  { skip: !hasPython('numpy') && `${PYTHON} with numpy not found` },
  () => {
    const out = path.join(root, 'numpy', 'ticket.csr.safetensors');
    assert.equal(exportCli(['--level', '1', '--format', 'safetensors', '--out', out]).status, 0);
    const expected: Record<string, { shape: number[]; file: string }> = {};
    const { final, masked } = maskedFinal();
    for (const [name, w] of masked) {
      const file = path.join(root, 'numpy', `${name}.f32`);
      fs.writeFileSync(file, w);
      expected[name] = { shape: final[name]!.shape, file };
    }
    // The loader from docs/export.md, with the safetensors header parsed by hand (numpy only).
    const script = `
import json, struct, sys
import numpy as np
req = json.load(sys.stdin)
raw = open(req["file"], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
dtypes = {"F32": "<f4", "I32": "<i4", "I64": "<i8"}
def get(name):
    e = header[name]; b, t = e["data_offsets"]
    return np.frombuffer(raw[8 + n + b:8 + n + t], dtype=dtypes[e["dtype"]]).reshape(e["shape"])
ok = {}
for name, want in req["expected"].items():
    shape = tuple(get(name + ".shape"))
    values, cols, ptr = get(name + ".values"), get(name + ".col_indices"), get(name + ".row_ptr")
    dense = np.zeros((shape[0], int(np.prod(shape[1:]))), dtype=np.float32)
    dense[np.repeat(np.arange(shape[0]), np.diff(ptr)), cols] = values
    ok[name] = shape == tuple(want["shape"]) and bool(np.array_equal(dense.reshape(shape), np.fromfile(want["file"], dtype="<f4").reshape(shape)))
print(json.dumps(ok))
`;
    const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ file: out, expected }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), Object.fromEntries([...masked.keys()].map((n) => [n, true])));
  },
);

/** Runs `bytes` in onnxruntime on `x` ([N, …inputShape]) and compares with the model's eval-mode forward. */
async function assertSameLogits(model: Model, bytes: Uint8Array, batch: number, seed: number): Promise<void> {
  const shape = [batch, ...model.inputShape];
  const x = new Rng(seed, 'export-test-input').fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  model.eval();
  const want = noGrad(() => model.forward(new Tensor(x, shape))).data;
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual([session.inputNames, session.outputNames], [['input'], ['logits']]);
  const got = (await session.run({ input: new ort.Tensor('float32', x, shape) })).logits!;
  assert.deepEqual(got.dims, [batch, model.numClasses]);
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs((got.data as Float32Array)[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  assert.ok(worst < 1e-4, `${model.name}: onnxruntime logits differ by ${worst}`);
}

test('ONNX LeNet from a run: onnxruntime matches ticketlab at batch 1 and 5', async () => {
  const out = path.join(root, 'onnx', 'lenet.onnx');
  const r = exportCli(['--level', '1', '--format', 'onnx', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const ticket = loadTicket(experiment, { level: 1 });
  const bytes = fs.readFileSync(out);
  await assertSameLogits(ticket.model, bytes, 1, 1);
  await assertSameLogits(ticket.model, bytes, 5, 2);
});

/** A model with random weights, BN statistics and masks at ~20% density (masks applied). */
function randomTicket(name: string, seed: number): { model: Model; masks: Masks } {
  const model = createModel(name);
  initializeModel(model, seed, model.defaultInit);
  const rng = new Rng(seed, 'export-test');
  const walk = (m: Module): void => {
    if (m instanceof BatchNorm) {
      rng.fillNormal(m.weight.data, 1, 0.2);
      rng.fillNormal(m.bias.data, 0, 0.2);
      rng.fillNormal(m.runningMean, 0, 0.2);
      m.runningVar.forEach((_, i) => (m.runningVar[i] = 0.5 + rng.uniform()));
    }
    for (const [, c] of m.children()) walk(c);
  };
  walk(model);
  const masks: Masks = new Map(
    model
      .prunableParameters()
      .map(([n, p]) => [n, Float32Array.from({ length: p.size }, () => (rng.uniform() < 0.2 ? 1 : 0))]),
  );
  applyMasks(model, masks);
  return { model, masks };
}

for (const [name, batch] of [
  ['cifar_conv_2', 3],
  ['cifar_resnet_8', 2],
  ['cifar_vgg_11', 2],
] as const) {
  test(`ONNX ${name} with random weights and masks: onnxruntime matches ticketlab`, async () => {
    const { model } = randomTicket(name, 7);
    await assertSameLogits(model, encodeOnnx(model, { level: 3 }), batch, 3);
  });
}

test('CSR of a conv model: conv weights are rows of in·kh·kw, BN buffers dense', () => {
  const { model, masks } = randomTicket('cifar_resnet_8', 5);
  const { bytes, nnz } = encodeCsrTicket(model, masks);
  const { tensors } = decodeSafetensors(bytes);
  const w = model.namedParameters().find(([n]) => n === 'blocks.1.conv1.weight')![1];
  assert.deepEqual(indices(tensors['blocks.1.conv1.weight.shape'], 'shape'), w.shape);
  const rowPtr = indices(tensors['blocks.1.conv1.weight.row_ptr'], 'row_ptr');
  assert.equal(rowPtr.length, w.shape[0]! + 1);
  assert.equal(rowPtr[rowPtr.length - 1], nnz['blocks.1.conv1.weight']);
  const dense = denseFromCsr(
    f32(tensors['blocks.1.conv1.weight.values'], 'values'),
    indices(tensors['blocks.1.conv1.weight.col_indices'], 'cols'),
    rowPtr,
    w.size / w.shape[0]!,
  );
  assert.deepEqual(dense, w.data);
  const bn = model.namedBuffers().find(([n]) => n === 'blocks.1.bn1.running_var')![1];
  assert.deepEqual(tensors['blocks.1.bn1.running_var']!.data, bn);
});

test(
  "Debian's onnx checker accepts the exported graphs",
  { skip: !hasPython('onnx') && `${PYTHON} with onnx not found` },
  () => {
    const dir = path.join(root, 'checker');
    fs.mkdirSync(dir, { recursive: true });
    const files = ['cifar_conv_2', 'cifar_resnet_8'].map((name) => {
      const file = path.join(dir, `${name}.onnx`);
      fs.writeFileSync(file, encodeOnnx(randomTicket(name, 1).model));
      return file;
    });
    files.push(path.join(root, 'onnx', 'lenet.onnx'));
    if (!fs.existsSync(files[2]!))
      assert.equal(exportCli(['--level', '1', '--format', 'onnx', '--out', files[2]!]).status, 0);
    const script = `
import sys, onnx
for f in sys.argv[1:]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    out = onnx.shape_inference.infer_shapes(m, strict_mode=True).graph.output[0]
    print(f, out.name, [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim])
`;
    const r = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const line of r.stdout.trim().split('\n')) assert.match(line, / logits \['N', 10\]$/);
  },
);

test('ONNX export refuses a model family it has no graph for', () => {
  class Custom extends Model {
    readonly name = 'mnist_custom_1';
    readonly dataset = 'mnist' as const;
    readonly inputShape = [1, 28, 28] as const;
    readonly numClasses = 10;
    readonly outputWeight = 'fc.weight';
    readonly defaultInit = 'glorot_normal' as const;
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => encodeOnnx(new Custom()), {
    name: 'UserError',
    message: /ONNX export supports mnist_lenet_\*, cifar_conv_N, cifar_vgg_N, cifar_resnet_N; 'mnist_custom_1'/,
  });
});

function assertFails(r: CliResult, pattern: RegExp): void {
  assert.notEqual(r.status, 0, `expected failure: ${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^ticketlab: error: /);
  assert.match(lines[0]!, pattern);
}

test('bad input: one readable line, non-zero exit, and no file left behind', () => {
  const dir = path.join(root, 'bad');
  fs.mkdirSync(dir);
  const out = path.join(dir, 'x.onnx');
  assertFails(
    exportCli(['--level', '7', '--format', 'onnx', '--out', out]),
    /level 7 of lottery_\w+ replicate 1 \(branch main\) does not exist; finished levels: 0, 1/,
  );
  assertFails(
    exportCli(['--level', '1', '--format', 'onnx', '--branch', 'random_reinit', '--out', out]),
    /branch random_reinit\) does not exist; finished levels: none/,
  );
  assertFails(
    exportCli(['--level', '1', '--format', 'onnx', '--replicate', '3', '--out', out]),
    /has no replicate 3 \(replicates: 1\)/,
  );
  assertFails(
    exportCli(['--level', '1', '--format', 'pickle', '--out', out]),
    /--format must be one of safetensors, onnx, got 'pickle'/,
  );
  assertFails(
    exportCli(['--level', 'one', '--format', 'onnx', '--out', out]),
    /--level must be a non-negative integer/,
  );
  assertFails(
    runCli(['export', path.join(root, 'lottery_nope'), '--level', '1', '--format', 'onnx', '--out', out]),
    /no lottery experiment at/,
  );
  const missing = exportCli(['--format', 'onnx']); // commander's own message, plus its usage hint
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /^ticketlab: error: required option '--level <L>' not specified\n/);
  // Unwritable targets: below a regular file, and onto an existing directory (the rename fails).
  const blocker = path.join(dir, 'file');
  fs.writeFileSync(blocker, '');
  assertFails(
    exportCli(['--level', '1', '--format', 'safetensors', '--out', path.join(blocker, 'x.safetensors')]),
    /cannot write .*x\.safetensors: .*bad\/file is not a directory/,
  );
  fs.mkdirSync(path.join(dir, 'taken'));
  assertFails(
    exportCli(['--level', '1', '--format', 'onnx', '--out', path.join(dir, 'taken')]),
    /cannot write .*taken: EISDIR/,
  );
  assert.deepEqual(fs.readdirSync(dir).sort(), ['file', 'taken']);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'taken')), []);
});

test('default output goes next to the ticket; human output names the file', () => {
  const r = runCli(['export', path.basename(experiment), '--root', root, '--level', '0', '--format', 'safetensors']);
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(experiment, 'replicate_1', 'level_0', 'main', 'ticket.csr.safetensors');
  assert.match(
    r.stdout,
    new RegExp(
      `^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(safetensors, \\d+ bytes\\): ${MODEL}, .*100\\.00% of weights kept`,
    ),
  );
  assert.equal(decodeSafetensors(fs.readFileSync(file)).metadata.density, '1');
});
