// How well a model knows the target language, measured twice so the stop-token effect shows: held-out loss over all
// test tokens and over the tokens that are not line or document ends; chrF of greedy continuations of test
// paragraphs, scored as generated and cut at the first line end (the replication's first-line scoring).
import { Tensor } from '../../engine/tensor.js';
import { noGrad } from '../../engine/autograd.js';
import type { Model } from '../../models/model.js';
import { chrF } from '../../text/chrf.js';
import { IGNORE_INDEX } from '../../data/token-dataset.js';
import { STOP_TOKENS, tokenizer, type LanguageData } from './data.js';

export interface Scores {
  /** Mean cross-entropy (nats per byte) over every test token, and over the tokens that are not stops. */
  loss: number;
  loss_no_stop: number;
  /** chrF of the continuations as generated (up to the budget), and cut at their first line end. */
  chrf: number;
  chrf_first_line: number;
  prompts: number;
}

const PROMPT = 24;
const REFERENCE = 40;
/** Prompts start every this many bytes of a paragraph. */
const PROMPT_EVERY = 64;
const MAX_PROMPTS = 96;

export function score(model: Model, data: LanguageData): Scores {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => ({ ...testLoss(model, data), ...continuations(model, data) }));
  } finally {
    if (wasTraining) model.train();
  }
}

function testLoss(model: Model, data: LanguageData): { loss: number; loss_no_stop: number } {
  const set = data.test;
  const L = set.seqLen;
  let sum = 0;
  let count = 0;
  let sumNoStop = 0;
  let countNoStop = 0;
  const batch = 32;
  for (let start = 0; start < set.size; start += batch) {
    const ids = Int32Array.from({ length: Math.min(batch, set.size - start) }, (_, i) => start + i);
    const { x, y } = set.batch(ids);
    const logits = model.forward(new Tensor(x, [ids.length, L])).data;
    const V = logits.length / (ids.length * L);
    const targets = y as Int32Array;
    for (let r = 0; r < targets.length; r++) {
      const t = targets[r]!;
      if (t === IGNORE_INDEX) continue;
      const nll = logSumExp(logits, r * V, V) - logits[r * V + t]!;
      sum += nll;
      count++;
      if (!STOP_TOKENS.has(t)) {
        sumNoStop += nll;
        countNoStop++;
      }
    }
  }
  return { loss: sum / count, loss_no_stop: sumNoStop / countNoStop };
}

function logSumExp(a: Float32Array, at: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, a[at + i]!);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[at + i]! - max);
  return max + Math.log(s);
}

/** Prompts (PROMPT bytes) and references (the next REFERENCE bytes, or to the paragraph's end). */
export function promptsOf(paragraphs: readonly Int32Array[]): { prompt: Int32Array; reference: Int32Array }[] {
  const out: { prompt: Int32Array; reference: Int32Array }[] = [];
  for (const p of paragraphs) {
    for (let at = 0; at + PROMPT + 8 <= p.length && out.length < MAX_PROMPTS; at += PROMPT_EVERY)
      out.push({ prompt: p.subarray(at, at + PROMPT), reference: p.subarray(at + PROMPT, at + PROMPT + REFERENCE) });
  }
  return out;
}

function continuations(model: Model, data: LanguageData): { chrf: number; chrf_first_line: number; prompts: number } {
  const prompts = promptsOf(data.testParagraphs);
  const L = data.test.seqLen;
  const budget = Math.min(REFERENCE + 16, L - PROMPT);
  const B = prompts.length;
  const x = new Float32Array(B * L).fill(tokenizer.special.pad!);
  prompts.forEach((p, b) => x.set(p.prompt, b * L));
  const generated: number[][] = prompts.map(() => []);
  const ended = new Uint8Array(B);
  for (let t = 0; t < budget; t++) {
    // Causal attention: the padding after position PROMPT + t does not change its logits.
    const logits = model.forward(new Tensor(x, [B, L])).data;
    const V = logits.length / (B * L);
    for (let b = 0; b < B; b++) {
      const row = (b * L + PROMPT - 1 + t) * V;
      let best = 0;
      for (let c = 1; c < V; c++) if (logits[row + c]! > logits[row + best]!) best = c;
      if (best === tokenizer.special.eos) ended[b] = 1;
      if (!ended[b]) generated[b]!.push(best);
      if (PROMPT + t < L) x[b * L + PROMPT + t] = best;
    }
  }
  const text = (ids: ArrayLike<number>) => tokenizer.decode(Array.from(ids).filter((i) => i < 256));
  const full = generated.map(text);
  const firstLine = full.map((s) => s.split('\n')[0]!);
  const refs = prompts.map((p) => text(p.reference));
  return { chrf: chrF(full, refs), chrf_first_line: chrF(firstLine, refs), prompts: B };
}
