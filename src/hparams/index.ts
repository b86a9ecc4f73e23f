export * from './groups.js';
export { lotteryDefaults } from './defaults.js';
export { trainingDefaults, type TrainingDefaults } from './training-defaults.js';
export { FIELDS, addHparamOptions, applyOverrides, validateHparams, flatten, nonDefaults, type Field } from './fields.js';
