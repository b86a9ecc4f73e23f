export { Model } from './model.js';
export { LeNet } from './lenet.js';
export { createModel, familyOf, knownModelExamples } from './registry.js';
export { ConvNet, CONV_DEPTHS, type ConvDepth } from './conv.js';
export { Vgg, VGG_PLANS, type VggDepth } from './vgg.js';
export { CifarResNet, isResNetDepth } from './resnet.js';
export { layerKinds, type LayerKind } from './layer-kinds.js';
export type { ModelFamily, FamilyDefaults } from './family.js';
