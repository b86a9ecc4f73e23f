// The masks the LTP study compares, as files beside the run: the ticket (the `keep` fraction of the scoped weights
// that changed most in masked-LM fine-tuning, `ticketlab ltp-mask`'s library), the same budget spent inside one block,
// and a random mask of the same size.
import fs from 'node:fs';
import path from 'node:path';
import { openCheckpoint, readCheckpointTensor } from '../../checkpoints/open.js';
import { Rng } from '../../engine/rng.js';
import type { Module } from '../../nn/module.js';
import type { Parameter } from '../../nn/parameter.js';
import { ltpChangeMask, type ChangeMaskResult } from '../../ltp/change-mask.js';

/** Every matrix of the encoder: token and position embeddings, attention projections, MLP layers. */
export const SCOPE = String.raw`^(tok_emb|pos_emb|blocks\.\d+\.(attn\.\w+_proj|fc1|fc2))\.weight$`;
const blockScope = (b: number) => String.raw`^blocks\.${b}\.(attn\.\w+_proj|fc1|fc2)\.weight$`;

export interface TicketSummary {
  kept: number;
  total: number;
  tensors: { name: string; kept: number; total: number }[];
}

/** The ticket between the two checkpoints, written once to `file`. */
export function ticketMask(before: string, after: string, keep: number, file: string): TicketSummary {
  const summary = `${file}.json`;
  if (!fs.existsSync(summary)) {
    fs.rmSync(file, { force: true });
    const r = ltpChangeMask(openCheckpoint(before), openCheckpoint(after), {
      keep,
      scope: 'global',
      layers: SCOPE,
      out: file,
    });
    fs.writeFileSync(summary, JSON.stringify(summaryOf(r)) + '\n');
  }
  return JSON.parse(fs.readFileSync(summary, 'utf8')) as TicketSummary;
}

/** The ticket's count of weights spent on block `b` alone (its largest changes), or all of it when smaller. */
export function blockMask(before: string, after: string, b: number, count: number, file: string): void {
  if (fs.existsSync(file)) return;
  const probe = openCheckpoint(before);
  const total = [...probe.tensors.values()]
    .filter((t) => new RegExp(blockScope(b)).test(t.name))
    .reduce((n, t) => n + t.shape.reduce((x, y) => x * y, 1), 0);
  const keep = Math.min(1, count / total);
  ltpChangeMask(probe, openCheckpoint(after), { keep, scope: 'global', layers: blockScope(b), out: file });
}

function summaryOf(r: ChangeMaskResult): TicketSummary {
  return { kept: r.kept, total: r.total, tensors: r.tensors.map(({ name, kept, total }) => ({ name, kept, total })) };
}

/** A mask file's tensors as trainable masks of the model's parameters of the same names. */
export function loadTrainable(model: Module, file: string): Map<Parameter, Uint8Array> {
  const ckpt = openCheckpoint(file);
  const params = new Map(model.namedParameters());
  const out = new Map<Parameter, Uint8Array>();
  for (const name of ckpt.tensors.keys()) {
    const p = params.get(name);
    if (!p) throw new RangeError(`mask ${path.basename(file)} names ${name}, which the model does not have`);
    out.set(p, readCheckpointTensor(ckpt, name).data as Uint8Array);
  }
  return out;
}

/** `count` entries drawn uniformly without replacement over the scope's tensors (sizes as the ticket's). */
export function randomTrainable(model: Module, ticket: TicketSummary, seed: number): Map<Parameter, Uint8Array> {
  const params = new Map(model.namedParameters());
  const total = ticket.total;
  const rng = new Rng(seed, 'ltp-random-mask');
  const chosen = new Uint8Array(total);
  // Floyd's algorithm: exactly `kept` distinct positions in [0, total).
  for (let j = total - ticket.kept; j < total; j++) {
    const t = Math.floor(rng.uniform() * (j + 1));
    chosen[chosen[t] ? j : t] = 1;
  }
  const out = new Map<Parameter, Uint8Array>();
  let at = 0;
  for (const t of ticket.tensors) {
    out.set(params.get(t.name)!, chosen.slice(at, at + t.total));
    at += t.total;
  }
  return out;
}
