export { Model, type DatasetName } from './model.js';
export { LeNet } from './lenet.js';
export { createModel, registerModelFamily, knownModelExamples } from './registry.js';
