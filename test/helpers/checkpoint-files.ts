// Checkpoint files for tests: numpy's (through test/helpers/numpy_checkpoints.py), hand-made damaged ones, and
// sparse files shaped like a 7B-parameter model (their data is holes: no disk space, no bytes to read from disk).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/engine/tensor.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { planShards, shardFileName, type SaveDtype, type TensorSource } from '../../src/checkpoints/shard-plan.js';
import { DataError } from '../../src/util/errors.js';
import { repoRoot } from './cli.js';

/** The small module checkpoints are loaded into: 12 -> 16 -> 4. */
export class TwoLayers extends Module {
  readonly fc1 = this.addModule('fc1', new Linear(12, 16));
  readonly fc2 = this.addModule('fc2', new Linear(16, 4));
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x));
  }
}

const numpyScript = path.join(repoRoot, 'test', 'helpers', 'numpy_checkpoints.py');

/** Runs the numpy oracle; returns its stdout. */
export function numpy(...args: string[]): string {
  const r = spawnSync('python3', [numpyScript, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `numpy_checkpoints.py ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A hand-made safetensors file: 8-byte length, `header` as JSON (or raw text), then `data`. */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** Asserts `fn` throws a DataError whose message is one line matching every pattern. */
export function throwsOneLine(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `message spans lines: ${err.message}`);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

export interface TensorShape {
  name: string;
  shape: number[];
}

/** LLaMA-7B's tensors: 32 layers, d_model 4096, MLP 11008, vocabulary 32000 (6,738,415,616 parameters). */
export function llama7bTensors(): TensorShape[] {
  const d = 4096;
  const mlp = 11008;
  const out: TensorShape[] = [{ name: 'model.embed_tokens.weight', shape: [32000, d] }];
  for (let i = 0; i < 32; i++) {
    const p = `model.layers.${i}`;
    for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj'])
      out.push({ name: `${p}.self_attn.${m}.weight`, shape: [d, d] });
    out.push({ name: `${p}.mlp.gate_proj.weight`, shape: [mlp, d] });
    out.push({ name: `${p}.mlp.up_proj.weight`, shape: [mlp, d] });
    out.push({ name: `${p}.mlp.down_proj.weight`, shape: [d, mlp] });
    out.push({ name: `${p}.input_layernorm.weight`, shape: [d] });
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [d] });
  }
  out.push({ name: 'model.norm.weight', shape: [d] }, { name: 'lm_head.weight', shape: [32000, d] });
  return out;
}

/**
 * Writes a sharded checkpoint whose headers are real and whose data are holes (`truncate`), so it takes no disk
 * space. Returns null when the filesystem stores the holes as data (no sparse files): callers skip then.
 */
export function writeSparseCheckpoint(
  dir: string,
  tensors: TensorShape[],
  dtype: SaveDtype,
  maxShardBytes: number,
): { index: string; files: string[] } | null {
  fs.mkdirSync(dir, { recursive: true });
  const sources: TensorSource[] = tensors.map((t) => ({ ...t, values: () => new Float32Array(0) }));
  const shards = planShards(sources, dtype, maxShardBytes, { format: 'pt' });
  const weightMap: Record<string, string> = {};
  let total = 0;
  const files = shards.map((shard, i) => {
    const file = path.join(dir, shardFileName(i, shards.length));
    fs.writeFileSync(file, shard.header);
    fs.truncateSync(file, shard.header.byteLength + shard.dataBytes);
    for (const t of shard.tensors) weightMap[t.source.name] = path.basename(file);
    total += shard.dataBytes;
    return file;
  });
  const index = path.join(dir, 'model.safetensors.index.json');
  fs.writeFileSync(index, JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  const stat = fs.statSync(files[0]!);
  if (stat.blocks * 512 > stat.size / 2) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return { index, files };
}
