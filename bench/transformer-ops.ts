// `node dist/bench/transformer-ops.js`: timings behind the sequence-model ops (not part of `npm run bench`).
// - attention: the fused kernel against the same attention composed of unfused ops (head split, bmm, scale and
//   causal mask, softmax, bmm, head merge), forward + backward at B=32, S=64, D=128, 4 heads;
// - embedding backward at V=50257, D=768, 2048 indices: clearing the whole gradient (the previous kernel) against
//   clearing only last step's rows (the op now), with AdamW's dense step on the same table for scale;
// - one lm_decoder-sized pre-norm block (B=32, S=64, D=128, 4 heads, d_mlp 512), forward + backward.
// Prints one JSON line per case: the best and median of --rounds, wall time and this process's CPU time (steadier
// on a shared machine). Compare with bench/pytorch_block.py (same shapes, same thread count).
import { Command } from 'commander';
import { Tensor, accumulateGrad } from '../src/engine/tensor.js';
import { Rng } from '../src/engine/rng.js';
import { backward, needsGrad, record } from '../src/engine/autograd.js';
import { native } from '../src/engine/native.js';
import * as ops from '../src/engine/ops/index.js';
import { Module } from '../src/nn/module.js';
import { Parameter } from '../src/nn/parameter.js';
import { Linear } from '../src/nn/layers/linear.js';
import { LayerNorm } from '../src/nn/layers/layernorm.js';
import { MultiHeadAttention } from '../src/nn/layers/attention.js';
import { AdamW } from '../src/nn/optim/adam.js';
import { initializeModel } from '../src/nn/reset.js';

const program = new Command('bench-transformer-ops')
  .option('--rounds <n>', 'timed rounds per case', '30')
  .option('--case <name>', 'only this case (attention, embedding, block)')
  .parse();
const opts = program.opts<{ rounds: string; case?: string }>();
const rounds = Number(opts.rounds);
const rng = new Rng(0, 'bench-transformer-ops');
const [B, S, D, H, MLP] = [32, 64, 128, 4, 512];

/** Best and median wall and CPU milliseconds of fn over the rounds, after two warm-up calls. */
function time(fn: () => void): Record<string, number> {
  fn();
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const round = (v: number) => +v.toFixed(3);
  return {
    wall_min_ms: round(sorted(wall)[0]!),
    wall_median_ms: round(sorted(wall)[rounds >> 1]!),
    cpu_min_ms: round(sorted(cpu)[0]!),
  };
}

function print(name: string, r: Record<string, unknown>): void {
  console.log(JSON.stringify({ case: name, ...r, gemm: native.info().gemm, threads: native.info().threads }));
}

/** [B, S, H·hd] → [B·H, S, hd] (toHeads) or back: the layout change an unfused attention pays for. */
function permuteHeads(x: Tensor, toHeads: boolean): Tensor {
  const hd = D / H;
  const y = new Tensor(new Float32Array(x.size), toHeads ? [B * H, S, hd] : [B, S, D]);
  const move = (src: Float32Array, dst: Float32Array, forward: boolean) => {
    for (let b = 0; b < B; b++)
      for (let s = 0; s < S; s++)
        for (let h = 0; h < H; h++) {
          const flat = (b * S + s) * D + h * hd;
          const head = ((b * H + h) * S + s) * hd;
          const [from, to] = forward ? [flat, head] : [head, flat];
          dst.set(src.subarray(from, from + hd), to);
        }
  };
  move(x.data, y.data, toHeads);
  if (!needsGrad(x)) return y;
  return record(y, 'permuteHeads', [x], (g) => {
    const dx = new Float32Array(x.size);
    move(g, dx, !toHeads);
    accumulateGrad(x, dx);
  });
}

/** scale · s, with -inf above the diagonal of each [S, S] block (causal). */
function scaleCausal(s: Tensor, scale: number): Tensor {
  const y = new Tensor(new Float32Array(s.size), s.shape);
  const n = s.shape[1]!;
  for (let p = 0; p < s.size; p++) y.data[p] = p % n > Math.floor(p / n) % n ? -Infinity : s.data[p]! * scale;
  if (!needsGrad(s)) return y;
  return record(y, 'scaleCausal', [s], (g) => {
    const ds = new Float32Array(s.size);
    for (let p = 0; p < s.size; p++) ds[p] = p % n > Math.floor(p / n) % n ? 0 : g[p]! * scale;
    accumulateGrad(s, ds);
  });
}

function unfusedAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const [qh, kh, vh] = [q, k, v].map((t) => permuteHeads(t, true)) as [Tensor, Tensor, Tensor];
  const p = ops.softmax(scaleCausal(ops.bmm(qh, kh, { transB: true }), 1 / Math.sqrt(D / H)));
  return permuteHeads(ops.bmm(p, vh), false);
}

/** A different random [B, S, D] input on each call, drawn ahead of time so drawing is not timed. */
function inputs(): () => Tensor {
  const pool = Array.from({ length: 8 }, () => rng.fillNormal(new Float32Array(B * S * D)));
  let i = 0;
  return () => new Tensor(pool[i++ % pool.length]!, [B, S, D], true);
}

function attentionCase(): void {
  const grad = rng.fillNormal(new Float32Array(B * S * D));
  const next = inputs();
  const fresh = () => [next(), next(), next()];
  const fused = () => {
    const [q, k, v] = fresh() as [Tensor, Tensor, Tensor];
    backward(ops.attention(q, k, v, { heads: H, causal: true }), grad);
  };
  const unfused = () => {
    const [q, k, v] = fresh() as [Tensor, Tensor, Tensor];
    backward(unfusedAttention(q, k, v), grad);
  };
  print('attention_fused', { B, S, D, heads: H, ...time(fused) });
  print('attention_unfused', { B, S, D, heads: H, ...time(unfused) });
}

function embeddingCase(): void {
  const [V, E, n] = [50257, 768, 2048];
  const table = new Parameter(rng.fillNormal(new Float32Array(V * E), 0, 0.02), [V, E], true);
  const g = rng.fillNormal(new Float32Array(n * E));
  // Lookups recorded ahead of time, so only the backward passes are timed.
  const lookups = Array.from({ length: 8 }, () => {
    const idx = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * V));
    return { idx, out: ops.embedding(idx, table) };
  });
  let i = 0;
  table.grad = new Float32Array(V * E);
  const fullClear = () => native.embeddingBackward(g, lookups[i++ % 8]!.idx, table.grad!, V, E, n, false);
  const rowsOnly = () => {
    table.zeroGrad();
    lookups[i++ % 8]!.out.gradFn!.backward(g);
  };
  print('embedding_backward_full_clear', { V, D: E, indices: n, ...time(fullClear) });
  print('embedding_backward_rows', { V, D: E, indices: n, ...time(rowsOnly) });
  const opt = new AdamW([table], { lr: 1e-3 });
  print('adamw_step_dense_table', { V, D: E, ...time(() => opt.step()) });
}

/** GPT-2's pre-norm block: x + attn(ln1(x)), then + fc2(gelu(fc1(ln2(·)))). */
class Block extends Module {
  readonly ln1 = this.addModule('ln1', new LayerNorm(D));
  readonly attn = this.addModule('attn', new MultiHeadAttention(D, H, { causal: true }));
  readonly ln2 = this.addModule('ln2', new LayerNorm(D));
  readonly fc1 = this.addModule('fc1', new Linear(D, MLP));
  readonly fc2 = this.addModule('fc2', new Linear(MLP, D));

  forward(x: Tensor): Tensor {
    const h = ops.add(x, this.attn.forward(this.ln1.forward(x)));
    return ops.add(h, this.fc2.forward(ops.gelu(this.fc1.forward(this.ln2.forward(h)))));
  }
}

function blockCase(): void {
  const block = new Block();
  initializeModel(block, 0, 'glorot_uniform');
  const grad = rng.fillNormal(new Float32Array(B * S * D));
  const next = inputs();
  const step = () => {
    block.zeroGrad();
    backward(block.forward(next()), grad);
  };
  print('block_forward_backward', { B, S, D, heads: H, d_mlp: MLP, ...time(step) });
}

const cases: Record<string, () => void> = { attention: attentionCase, embedding: embeddingCase, block: blockCase };
for (const [name, run] of Object.entries(cases)) if (!opts.case || opts.case === name) run();
