export * from './groups.js';
export { trainDefaults, lotteryDefaults, studyTrainingDefaults } from './defaults.js';
export { flatten, nonDefaults } from './diff.js';
export { validatePruning, validateTraining } from './validate.js';
