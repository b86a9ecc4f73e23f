// A checkpoint shaped like LLaMA-7B (6.7 billion parameters, 13.5 GB of BF16 in two shards) made of sparse files:
// listing it and reading one tensor must read only headers and that tensor's bytes, and memory must follow the
// tensor read, not the checkpoint. Measured in a child process: peak RSS (getrusage) and, where Linux reports it,
// the bytes the process read (/proc/self/io rchar).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCheckpoint } from '../src/checkpoints/open.js';
import { floatToBfloat16 } from '../src/store/half-float.js';
import { runCli } from './helpers/cli.js';
import { llama7bTensors, writeSparseCheckpoint } from './helpers/checkpoint-files.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-ckpt-7b-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const openUrl = new URL('../src/checkpoints/open.js', import.meta.url).href;

interface Measured {
  baselineMaxRssMB: number;
  listReadBytes: number | null;
  smallReadBytes: number | null;
  smallValues: number[];
  afterSmallMaxRssMB: number;
  bigReadBytes: number | null;
  bigElements: number;
  bigAllZero: boolean;
  afterBigMaxRssMB: number;
}

/** Opens `dir`, reads tensor `small` then tensor `big`, reporting peak RSS and bytes read after each step. */
function measureInChild(dir: string, small: string, big: string): Measured {
  const code = `
    import fs from 'node:fs';
    const { openCheckpoint, readCheckpointTensor } = await import(${JSON.stringify(openUrl)});
    const rchar = () => { try { return Number(/rchar:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))[1]); } catch { return null; } };
    const since = (start) => (start === null ? null : rchar() - start);
    const maxRssMB = () => process.resourceUsage().maxRSS / 1024;
    const out = { baselineMaxRssMB: maxRssMB() };
    let start = rchar();
    const ckpt = openCheckpoint(${JSON.stringify(dir)});
    out.listReadBytes = since(start);
    start = rchar();
    const small = readCheckpointTensor(ckpt, ${JSON.stringify(small)});
    out.smallReadBytes = since(start);
    out.smallValues = Array.from(small.data.subarray(0, 4));
    out.afterSmallMaxRssMB = maxRssMB();
    start = rchar();
    const big = readCheckpointTensor(ckpt, ${JSON.stringify(big)});
    out.bigReadBytes = since(start);
    out.bigElements = big.data.length;
    out.bigAllZero = big.data.every((v) => v === 0);
    out.afterBigMaxRssMB = maxRssMB();
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Measured;
}

test('a 7B-parameter BF16 checkpoint lists and reads one tensor without reading the rest', (t) => {
  const dir = path.join(tmpRoot, 'llama-7b');
  const made = writeSparseCheckpoint(dir, llama7bTensors(), 'BF16', 10e9);
  if (!made) return t.skip('the temporary directory does not store sparse files, and 13.5 GB of real data is too much');
  const ckpt = openCheckpoint(dir);
  const totalBytes = made.files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  assert.equal(ckpt.tensors.size, 291);
  assert.ok(totalBytes > 13.4e9, `${totalBytes} bytes`);

  // Real values in the small tensor that lies deepest in the first shard, beyond any 32-bit offset.
  const deep = [...ckpt.tensors.values()]
    .filter((e) => e.shape.length === 1 && e.file === made.files[0])
    .sort((a, b) => b.offset - a.offset)[0]!;
  assert.ok(deep.offset > 2 ** 33, `offset ${deep.offset}`);
  const values = new Float32Array(deep.shape[0]!).map((_, i) => 1 + i / 64);
  const fd = fs.openSync(deep.file, 'r+');
  fs.writeSync(fd, floatToBfloat16(values), 0, deep.bytes, deep.offset);
  fs.closeSync(fd);

  const big = 'model.embed_tokens.weight'; // 32000 x 4096: 262 MB of BF16, 524 MB as float32
  const m = measureInChild(dir, deep.name, big);
  t.diagnostic(`file ${(totalBytes / 1e9).toFixed(2)} GB; ${JSON.stringify(m)}`);
  assert.deepEqual(m.smallValues, [1, 1 + 1 / 64, 1 + 2 / 64, 1 + 3 / 64]);
  assert.ok(m.afterSmallMaxRssMB - m.baselineMaxRssMB < 32, 'listing and one small read hardly move peak memory');
  assert.equal(m.bigElements, 32000 * 4096);
  assert.ok(m.bigAllZero);
  const bigMB = (32000 * 4096 * 4) / 2 ** 20;
  assert.ok(m.afterBigMaxRssMB < m.baselineMaxRssMB + bigMB + 64, 'peak memory is the tensor read plus a little');
  if (m.listReadBytes === null) return t.diagnostic('no /proc/self/io here: bytes read not checked');
  const entries = [...ckpt.tensors.values()];
  const headerBytes = made.files // each file's first tensor starts where its header ends
    .map((f) => Math.min(...entries.filter((e) => e.file === f).map((e) => e.offset)))
    .reduce((a, b) => a + b, 0);
  const indexBytes = fs.statSync(made.index).size;
  const slack = 4096; // the reads of /proc/self/io themselves
  assert.ok(m.listReadBytes < headerBytes + indexBytes + slack, `listing read ${m.listReadBytes} bytes`);
  assert.ok(m.smallReadBytes! >= deep.bytes && m.smallReadBytes! < deep.bytes + slack, `read ${m.smallReadBytes}`);
  assert.ok(
    m.bigReadBytes! >= 32000 * 4096 * 2 && m.bigReadBytes! < 32000 * 4096 * 2 + slack,
    `read ${m.bigReadBytes}`,
  );

  const cli = runCli(['--json', 'checkpoint', dir]).json<{ totals: { parameters: number; bytes: number } }>();
  assert.deepEqual(cli.totals, { tensors: 291, parameters: 6_738_415_616, bytes: 13_476_831_232 });
  const one = runCli(['checkpoint', made.index, '--tensor', deep.name]);
  assert.match(one.stdout, /BF16 \[4096\], 4096 parameters, 8\.19 KB in model-00001-of-00002\.safetensors/);
  assert.match(one.stdout, /first 8: 1 1\.01563 1\.03125 1\.04688 1\.0625/);
});
