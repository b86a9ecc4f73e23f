// Per-family ONNX graphs, mirroring each model's forward() in src/models: the graph's ops in the same order on
// the same weights, so onnxruntime reproduces ticketlab's eval-mode logits.
import { LeNet } from '../models/lenet.js';
import { ConvNet } from '../models/conv.js';
import { Vgg } from '../models/vgg.js';
import { CifarResNet } from '../models/resnet.js';
import type { Model } from '../models/model.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { Conv2d } from '../nn/layers/conv.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { Sequential } from '../nn/layers/sequential.js';
import { MaxPool2d } from '../nn/layers/simple.js';
import type { OnnxGraph } from './onnx-graph.js';
import { batchNorm, child, conv, flatten, linear, pool, relu } from './onnx-layers.js';

/** Builds the model's graph from `input` ([N, C, H, W]) to the output named `output`. */
type Builder<M extends Model> = (g: OnnxGraph, m: M, input: string, output: string) => void;

/** Linear layers in order with ReLU between them, the last one writing `output`. */
function mlp(g: OnnxGraph, m: Module, names: string[], x: string, output: string): void {
  let h = x;
  names.forEach((n, i) => {
    const last = i === names.length - 1;
    h = linear(g, h, child(m, n, Linear), n, last ? output : undefined);
    if (!last) h = relu(g, h);
  });
}

const lenet: Builder<LeNet> = (g, m, input, output) => {
  const names = m.children().map(([n]) => n); // fc1 … fc<k+1>
  mlp(g, m, names, flatten(g, input), output);
};

const convNet: Builder<ConvNet> = (g, m, input, output) => {
  let h = input;
  for (let i = 1; i <= m.depth; i++) {
    h = relu(g, conv(g, h, child(m, `conv${i}`, Conv2d), `conv${i}`));
    if (i % 2 === 0) h = pool(g, 'MaxPool', h, 2);
  }
  mlp(g, m, ['fc1', 'fc2', 'fc3'], flatten(g, h), output);
};

const vgg: Builder<Vgg> = (g, m, input, output) => {
  let h = input;
  for (const [n, layer] of child(m, 'layers', Sequential).children()) {
    const path = `layers.${n}`;
    if (layer instanceof MaxPool2d) h = pool(g, 'MaxPool', h, layer.kernel, layer.stride, layer.padding);
    else
      h = relu(
        g,
        batchNorm(
          g,
          conv(g, h, child(layer, 'conv', Conv2d), `${path}.conv`),
          child(layer, 'bn', BatchNorm),
          `${path}.bn`,
        ),
      );
  }
  mlp(g, m, ['fc'], flatten(g, pool(g, 'AveragePool', h, 2)), output);
};

/** conv-BN-ReLU-conv-BN plus the (projected) shortcut, then ReLU: resnet.ts's BasicBlock. */
function basicBlock(g: OnnxGraph, b: Module, path: string, x: string): string {
  let h = relu(
    g,
    batchNorm(g, conv(g, x, child(b, 'conv1', Conv2d), `${path}.conv1`), child(b, 'bn1', BatchNorm), `${path}.bn1`),
  );
  h = batchNorm(g, conv(g, h, child(b, 'conv2', Conv2d), `${path}.conv2`), child(b, 'bn2', BatchNorm), `${path}.bn2`);
  let shortcut = x;
  if (b.children().some(([n]) => n === 'shortcut')) {
    const s = child(b, 'shortcut', Sequential);
    shortcut = batchNorm(
      g,
      conv(g, x, child(s, '0', Conv2d), `${path}.shortcut.0`),
      child(s, '1', BatchNorm),
      `${path}.shortcut.1`,
    );
  }
  return relu(g, g.node('Add', [h, shortcut]));
}

const resnet: Builder<CifarResNet> = (g, m, input, output) => {
  let h = relu(g, batchNorm(g, conv(g, input, child(m, 'conv', Conv2d), 'conv'), child(m, 'bn', BatchNorm), 'bn'));
  for (const [n, block] of child(m, 'blocks', Sequential).children()) h = basicBlock(g, block, `blocks.${n}`, h);
  mlp(g, m, ['fc'], flatten(g, g.node('GlobalAveragePool', [h])), output);
};

/** The model families ONNX export supports, as registry name patterns (for messages). */
export const ONNX_FAMILIES = ['mnist_lenet_*', 'cifar_conv_N', 'cifar_vgg_N', 'cifar_resnet_N'] as const;

/** The graph builder for `model`'s family, or null when its family has none. */
export function onnxBuilder(model: Model): Builder<Model> | null {
  if (model instanceof LeNet) return lenet as Builder<Model>;
  if (model instanceof ConvNet) return convNet as Builder<Model>;
  if (model instanceof Vgg) return vgg as Builder<Model>;
  if (model instanceof CifarResNet) return resnet as Builder<Model>;
  return null;
}
