// What a model costs: parameters (all, and those its masks keep) and multiply-accumulates per example of its linear,
// conv and depthwise layers, dense and at the masks' densities. FLOPs in the NAS papers (SuperTickets, HR-NAS) are
// these multiply-adds; batch norm, activations and pooling are left out, as there. The sizes come from one forward
// pass of a zero example in eval mode, so any architecture (cut channels included) is measured as it is built.
import { noGrad } from '../engine/autograd.js';
import { Tensor } from '../engine/tensor.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { Linear } from '../nn/layers/linear.js';
import { Conv2d } from '../nn/layers/conv.js';
import { DepthwiseConv2d } from '../nn/layers/depthwise.js';
import { defaultInputShape } from '../pruning/layer-graph.js';
import { ConfigError } from '../util/errors.js';

export interface LayerCost {
  name: string;
  kind: 'linear' | 'conv' | 'depthwise';
  /** Multiply-accumulates per example, dense, and at the weight's kept fraction. */
  macs: number;
  keptMacs: number;
  params: number;
}

export interface ModelCost {
  params: number;
  /** Parameters the masks keep (all parameters of unmasked tensors count). */
  keptParams: number;
  macs: number;
  keptMacs: number;
  layers: LayerCost[];
}

function keptFraction(w: Parameter): number {
  return w.active ? w.active.length / w.size : 1;
}

export function modelCost(model: Module, inputShape?: readonly number[]): ModelCost {
  const shape = inputShape ?? defaultInputShape(model);
  if (!shape) throw new ConfigError('the model does not declare its input shape: give one to count its cost');
  const layers: LayerCost[] = [];
  const restore: (() => void)[] = [];
  for (const [name, m] of model.namedModules()) {
    if (!(m instanceof Linear || m instanceof Conv2d || m instanceof DepthwiseConv2d)) continue;
    const forward = m.forward.bind(m);
    m.forward = (x: Tensor) => {
      const y = forward(x);
      const w = m.weight;
      let macs: number;
      if (m instanceof Linear) macs = (x.size / m.inFeatures) * m.inFeatures * m.outFeatures;
      else macs = y.size * (w.size / w.shape[0]!); // every output element sums one filter's worth of products
      const kind = m instanceof Linear ? 'linear' : m instanceof Conv2d ? 'conv' : 'depthwise';
      layers.push({
        name: name.replace(/\.$/, ''),
        kind,
        macs,
        keptMacs: macs * keptFraction(w),
        params: w.size + (m.bias?.size ?? 0),
      });
      return y;
    };
    restore.push(() => delete (m as { forward?: unknown }).forward);
  }
  const wasTraining = model.training;
  try {
    model.eval();
    noGrad(() => model.forward(new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), [1, ...shape])));
  } finally {
    for (const r of restore) r();
    model.train(wasTraining);
  }
  let params = 0;
  let keptParams = 0;
  for (const [, p] of model.namedParameters()) {
    params += p.size;
    keptParams += p.size * keptFraction(p);
  }
  const sum = (f: (l: LayerCost) => number) => layers.reduce((s, l) => s + f(l), 0);
  return {
    params,
    keptParams: Math.round(keptParams),
    macs: sum((l) => l.macs),
    keptMacs: sum((l) => l.keptMacs),
    layers,
  };
}
