export { Linear } from './linear.js';
export { Conv2d, type Conv2dConfig } from './conv.js';
export { BatchNorm } from './batchnorm.js';
export { Embedding } from './embedding.js';
export { ReLU, MaxPool2d, AvgPool2d, GlobalAvgPool, Flatten, Dropout } from './simple.js';
export { Sequential } from './sequential.js';
