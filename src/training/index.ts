export { evaluate, type EvalResult } from './evaluate.js';
export { trainLoop, type TrainLoopConfig, type TrainLoopResult, type TrainHooks, type StepInfo } from './train.js';
export { buildOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerConfig } from './optimizer-config.js';
export { trainStep, skipBatches, type Augment } from './step.js';
