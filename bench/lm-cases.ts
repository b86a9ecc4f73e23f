// Benchmark cases of the sequence models, each mirrored by bench/pytorch_lm.py on the same data, batch for batch:
//   transformer_step  one AdamW step of lm_decoder_2_128 (4 heads, sequence 64, batch 32) on windows of the English
//                     UDHR under the byte tokenizer (vocabulary 260: 256 bytes and 4 special tokens)
//   grok_mlp_epoch    one full-batch AdamW step of grok_mlp_67 on its 911 training pairs, loss on float64 logits
// The token windows and the pairs are written to a temporary file the PyTorch side reads, so both train on the
// same batches in the same order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from '../src/engine/tensor.js';
import { backward } from '../src/engine/autograd.js';
import { createModel } from '../src/models/registry.js';
import { initializeModel } from '../src/nn/reset.js';
import { buildOptimizer } from '../src/nn/optim/build.js';
import { loadTokenizer } from '../src/text/registry.js';
import { loadTextDataset } from '../src/data/text-registry.js';
import { modularAddition } from '../src/data/modular.js';
import { lossFor } from '../src/training/run-data.js';
import type { StepCase } from './cases.js';

const BATCH = 32;
const SEQ = 64;

/** Every window of the English UDHR's training split as [count, SEQ + 1] int32 (inputs, then the last target). */
async function udhrWindows(): Promise<{ file: string; count: number; vocab: number }> {
  const tokenizer = await loadTokenizer('bytes');
  const { train } = loadTextDataset('udhr:eng', tokenizer, { seqLen: SEQ, seed: 0 });
  const all = train.batch(Int32Array.from({ length: train.size }, (_, i) => i));
  const out = new Int32Array(train.size * (SEQ + 1));
  for (let w = 0; w < train.size; w++) {
    for (let t = 0; t < SEQ; t++) out[w * (SEQ + 1) + t] = all.x[w * SEQ + t]!;
    out[w * (SEQ + 1) + SEQ] = (all.y as Int32Array)[w * SEQ + SEQ - 1]!;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-lm-')), 'windows.i32');
  fs.writeFileSync(file, out);
  return { file, count: train.size, vocab: tokenizer.vocabSize };
}

async function transformerStep(): Promise<StepCase> {
  const data = await udhrWindows();
  const windows = new Int32Array(fs.readFileSync(data.file).buffer.slice(0));
  return {
    kind: 'step',
    name: 'transformer_step',
    steps: 20,
    pytorch: ['transformer', data.file, '--vocab', String(data.vocab)],
    script: 'pytorch_lm.py',
    setup() {
      const model = createModel('lm_decoder_2_128', { vocabSize: data.vocab, seqLen: SEQ });
      initializeModel(model, 0, 'gpt2');
      const opt = buildOptimizer(model.parameters(), {
        optimizer: 'adamw',
        lr: 3e-4,
        beta1: 0.9,
        beta2: 0.95,
        weightDecay: 0.1,
      });
      const loss = lossFor('next-token');
      let next = 0;
      return {
        step: () => {
          const x = new Float32Array(BATCH * SEQ);
          const y = new Int32Array(BATCH * SEQ);
          for (let b = 0; b < BATCH; b++, next = (next + 1) % data.count) {
            const w = windows.subarray(next * (SEQ + 1), (next + 1) * (SEQ + 1));
            for (let t = 0; t < SEQ; t++) x[b * SEQ + t] = w[t]!;
            y.set(w.subarray(1), b * SEQ);
          }
          opt.zeroGrad();
          backward(loss(model.forward(new Tensor(x, [BATCH, SEQ])), y));
          opt.step();
        },
        info: { windows: data.count, vocab: data.vocab },
      };
    },
  };
}

function grokEpoch(): StepCase {
  const { train } = modularAddition(67, 0.4, 0);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-grok-')), 'pairs.i32');
  fs.writeFileSync(
    file,
    Int32Array.from({ length: train.size * 3 }, (_, i) =>
      i % 3 < 2 ? train.x[Math.floor(i / 3) * 2 + (i % 3)]! : train.y[Math.floor(i / 3)]!,
    ),
  );
  return {
    kind: 'step',
    name: 'grok_mlp_epoch',
    steps: 50,
    pytorch: ['grok_mlp', file],
    script: 'pytorch_lm.py',
    setup() {
      const model = createModel('grok_mlp_67');
      initializeModel(model, 0, 'lecun_normal');
      const opt = buildOptimizer(model.parameters(), {
        optimizer: 'adamw',
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.98,
        weightDecay: 1,
      });
      const loss = lossFor('classify-f64');
      const x = new Tensor(train.x, [train.size, 2]);
      return {
        step: () => {
          opt.zeroGrad();
          backward(loss(model.forward(x), train.y));
          opt.step();
        },
        info: { pairs: train.size },
      };
    },
  };
}

/** The sequence-model cases (the English UDHR is tokenized once, here). */
export async function lmCases(): Promise<StepCase[]> {
  return [await transformerStep(), grokEpoch()];
}
