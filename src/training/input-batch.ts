// An image batch gathered straight into the layout the model's first layer takes: feature-major and already
// flattened when that layer is sparse (no transpose per batch), batch-major otherwise. Training steps and
// evaluation both gather this way, into buffers they reuse.
import { Tensor } from '../engine/tensor.js';
import type { Batch, ImageDataset } from '../data/dataset.js';
import { Model } from '../models/model.js';
import type { Module } from '../nn/module.js';

export function inputBatch(
  model: Module,
  data: ImageDataset,
  ids: Int32Array,
  buf: Batch,
): { x: Tensor; y: Int32Array | Float32Array } {
  const n = ids.length;
  const featureMajor = model instanceof Model && model.inputLayout() === 'feature';
  const { x, y } = data.batch(ids, buf, featureMajor);
  if (!featureMajor) return { x: new Tensor(x, [n, ...data.sampleShape]), y };
  const t = new Tensor(x, [n, data.sampleSize]);
  t.featureMajor = true;
  return { x: t, y };
}
