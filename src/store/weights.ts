// Weights, masks and checkpoints as safetensors files with metadata (level, density, seed, version).
import { createRequire } from 'node:module';
import { loadSafetensors, saveSafetensors, type Tensor as StTensor } from './safetensors.js';
import { DataError } from '../util/errors.js';
import type { Module } from '../nn/module.js';
import type { Masks } from '../pruning/masks.js';

const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export type Weights = Map<string, Float32Array>;

function shapesOf(model: Module): Map<string, number[]> {
  const s = new Map<string, number[]>();
  for (const [n, p] of model.namedParameters()) s.set(n, [...p.shape]);
  for (const [n, b] of model.namedBuffers()) s.set(n, [b.length]);
  return s;
}

export function saveTensors(
  file: string,
  model: Module,
  values: Weights,
  meta: Record<string, string | number>,
  prefix = '',
): void {
  const shapes = shapesOf(model);
  const tensors: Record<string, StTensor> = {};
  for (const [n, v] of values) tensors[prefix + n] = { dtype: 'F32', shape: shapes.get(n) ?? [v.length], data: v };
  const metadata: Record<string, string> = { format: 'ticketlab', version };
  for (const [k, v] of Object.entries(meta)) metadata[k] = String(v);
  saveSafetensors(file, tensors, metadata);
}

/** Loads F32 tensors (optionally only those under `prefix`, which is stripped); weights must be finite numbers. */
export function loadTensors(file: string, prefix = ''): { values: Weights; metadata: Record<string, string> } {
  const st = loadSafetensors(file);
  const values: Weights = new Map();
  for (const [n, t] of Object.entries(st.tensors)) {
    if (!n.startsWith(prefix)) continue;
    if (t.dtype !== 'F32') throw new DataError(`${file}: tensor '${n}' has dtype ${t.dtype}, expected F32`);
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++)
      if (!Number.isFinite(data[i]))
        throw new DataError(`${file}: tensor '${n}' holds ${data[i]} at ${i} (damaged, or from a diverged run)`);
    values.set(n.slice(prefix.length), data);
  }
  return { values, metadata: st.metadata };
}

export function saveMasks(file: string, model: Module, masks: Masks, meta: Record<string, string | number>): void {
  saveTensors(file, model, masks, { ...meta, kind: 'mask' });
}

export function loadMasks(file: string, model: Module): Masks {
  const { values } = loadTensors(file);
  const expected = model.prunableParameters();
  for (const [n, p] of expected) {
    const m = values.get(n);
    if (!m) throw new DataError(`${file}: no mask for '${n}'`);
    if (m.length !== p.size) throw new DataError(`${file}: mask '${n}' has ${m.length} entries, weight has ${p.size}`);
    for (let i = 0; i < m.length; i++)
      if (m[i] !== 0 && m[i] !== 1) throw new DataError(`${file}: mask '${n}' has a value other than 0 or 1`);
  }
  if (values.size !== expected.length)
    throw new DataError(`${file}: has ${values.size} masks, the model has ${expected.length} prunable weights`);
  let kept = 0;
  for (const m of values.values()) for (let i = 0; i < m.length; i++) kept += m[i]!;
  if (kept === 0) throw new DataError(`${file}: the masks keep no weights at all (damaged?)`);
  return values;
}
