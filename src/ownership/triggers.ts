// The V3 black-box signature: a small fixed trigger set (images of uniform random pixels, each with a random label)
// learned alongside the task, mixed into every training batch. Whoever holds the set can test a suspect model
// through its predictions alone: the signed ticket labels the triggers as trained, any other model about as well as
// chance. The set is stored with the signed branch as safetensors (x normalized like the dataset, y labels).
import { Rng } from '../engine/rng.js';
import { ImageDataset } from '../data/dataset.js';
import { TensorDataset } from '../data/tensor-dataset.js';
import type { Dataset } from '../data/types.js';
import type { Module } from '../nn/module.js';
import { loadSafetensors, saveSafetensors } from '../store/safetensors.js';
import { evaluate } from '../training/evaluate.js';
import { ConfigError, DataError } from '../util/errors.js';

export const TRIGGER_FILE = 'triggers.safetensors';

export interface TriggerSet {
  x: Float32Array;
  y: Int32Array;
  sampleShape: readonly number[];
}

/** `count` random-pixel images shaped like `like`'s, normalized as it normalizes, with random labels. */
export function makeTriggers(like: Dataset, count: number, seed: number): TriggerSet {
  if (!(like instanceof ImageDataset)) throw new ConfigError('trigger sets are made for image datasets');
  if (!(Number.isInteger(count) && count >= 1 && count <= 10_000))
    throw new ConfigError(`--triggers must be an integer in [1, 10000], got ${count}`);
  const rng = Rng.stream(seed, 'ownership-triggers');
  const images = new Uint8Array(count * like.sampleSize);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, () => rng.int(like.numClasses));
  const set = new ImageDataset({ ...like, images, labels, shape: like.shape, name: 'triggers' });
  const { x, y } = set.batch(Int32Array.from({ length: count }, (_, i) => i));
  return { x, y: y as Int32Array, sampleShape: like.sampleShape };
}

export function saveTriggers(file: string, t: TriggerSet): void {
  const n = t.y.length;
  saveSafetensors(
    file,
    {
      x: { dtype: 'F32', shape: [n, ...t.sampleShape], data: t.x },
      y: { dtype: 'I32', shape: [n], data: t.y },
    },
    { format: 'ticketlab', kind: 'triggers' },
  );
}

export function loadTriggers(file: string): TriggerSet {
  const st = loadSafetensors(file);
  const x = st.tensors.x;
  const y = st.tensors.y;
  if (!x || x.dtype !== 'F32' || !y || y.dtype !== 'I32' || x.shape[0] !== y.shape[0])
    throw new DataError(`${file} is not a trigger set (F32 x [n, ...] and I32 y [n])`);
  return { x: x.data as Float32Array, y: y.data as Int32Array, sampleShape: x.shape.slice(1) };
}

/** Fraction of the triggers the model labels as trained. */
export function triggerAccuracy(model: Module, t: TriggerSet): number {
  return evaluate(model, new TensorDataset('triggers', t.x, t.y, t.sampleShape)).accuracy ?? 0;
}
