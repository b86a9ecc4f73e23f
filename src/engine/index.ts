export { Tensor, type Shape, sizeOf, shapeStr, gradTarget, accumulateGrad } from './tensor.js';
export { backward, noGrad, isGradEnabled, needsGrad, record } from './autograd.js';
export { Rng } from './rng.js';
export { native, type NativeInfo } from './native.js';
export * as ops from './ops/index.js';
