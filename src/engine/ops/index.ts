export { linear, matmul } from './linear.js';
export { conv2d, conv2dOutputSize, type Conv2dOptions } from './conv.js';
export { maxPool2d, avgPool2d, globalAvgPool } from './pool.js';
export { batchNorm, type BatchNormState } from './batchnorm.js';
export { relu, dropout } from './activation.js';
export { reshape, flatten } from './shape.js';
export { add, mul, sum } from './arith.js';
export { embedding } from './embedding.js';
export { softmaxCrossEntropy, mse, countCorrect } from './loss.js';
