// ONNX nodes for ticketlab's layers (inference semantics): each takes the input's name and the layer's dotted
// path (which names its initializers, e.g. `fc1.weight`), adds nodes to the graph and returns the output's name.
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { Conv2d } from '../nn/layers/conv.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { attr, type OnnxGraph } from './onnx-graph.js';

/** The child `name` of `m`, checked to be a `type` (the graph builders rely on the models' structure). */
export function child<T extends Module>(m: Module, name: string, type: abstract new (...args: never[]) => T): T {
  const c = m.children().find(([n]) => n === name)?.[1];
  if (!(c instanceof type))
    throw new Error(
      `onnx export: expected child '${name}' to be a ${type.name}, found ${c?.constructor.name ?? 'nothing'}`,
    );
  return c;
}

export function linear(g: OnnxGraph, x: string, fc: Linear, path: string, output?: string): string {
  const w = g.initializer(`${path}.weight`, fc.weight.shape, fc.weight.data);
  const inputs = [x, w];
  if (fc.bias) inputs.push(g.initializer(`${path}.bias`, fc.bias.shape, fc.bias.data));
  return g.node('Gemm', inputs, [attr.int('transB', 1)], output);
}

export function conv(g: OnnxGraph, x: string, c: Conv2d, path: string): string {
  const w = g.initializer(`${path}.weight`, c.weight.shape, c.weight.data);
  const inputs = [x, w];
  if (c.bias) inputs.push(g.initializer(`${path}.bias`, c.bias.shape, c.bias.data));
  const p = c.padding;
  return g.node('Conv', inputs, [
    attr.ints('kernel_shape', [c.kernelSize, c.kernelSize]),
    attr.ints('strides', [c.stride, c.stride]),
    attr.ints('pads', [p, p, p, p]),
  ]);
}

/** Batch norm with the running statistics (eval mode). */
export function batchNorm(g: OnnxGraph, x: string, bn: BatchNorm, path: string): string {
  const c = [bn.channels];
  const inputs = [
    g.initializer(`${path}.weight`, c, bn.weight.data),
    g.initializer(`${path}.bias`, c, bn.bias.data),
    g.initializer(`${path}.running_mean`, c, bn.runningMean),
    g.initializer(`${path}.running_var`, c, bn.runningVar),
  ];
  return g.node(
    'BatchNormalization',
    [x, ...inputs],
    [attr.float('epsilon', bn.eps), attr.float('momentum', 1 - bn.momentum)],
  );
}

/** Max or average pooling over k×k windows (ticketlab's pools: floor mode; average pools here never pad). */
export function pool(
  g: OnnxGraph,
  op: 'MaxPool' | 'AveragePool',
  x: string,
  kernel: number,
  stride = kernel,
  padding = 0,
): string {
  if (op === 'AveragePool' && padding !== 0) throw new Error('onnx export: padded average pooling is not supported');
  return g.node(
    op,
    [x],
    [
      attr.ints('kernel_shape', [kernel, kernel]),
      attr.ints('strides', [stride, stride]),
      attr.ints('pads', [padding, padding, padding, padding]),
    ],
  );
}

export const relu = (g: OnnxGraph, x: string): string => g.node('Relu', [x]);
export const flatten = (g: OnnxGraph, x: string): string => g.node('Flatten', [x], [attr.int('axis', 1)]);
