export { Model, type DatasetName } from './model.js';
export { LeNet } from './lenet.js';
export { createModel, registerModelFamily, knownModelExamples } from './registry.js';
export { ConvNet, CONV_DEPTHS, type ConvDepth } from './conv.js';
export { Vgg, VGG_PLANS, type VggDepth } from './vgg.js';
export { CifarResNet, isResNetDepth } from './resnet.js';
export { CIFAR_FAMILIES, layerKinds, type LayerKind, type ModelFamily } from './families.js';
