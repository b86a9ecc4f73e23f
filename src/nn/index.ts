export { Module } from './module.js';
export { Parameter } from './parameter.js';
export * from './layers/index.js';
export * from './optim/index.js';
export { initializeModel } from './reset.js';
export { initialize, fans, INIT_NAMES, type InitName } from './init.js';
export { lrAt, validateSchedule, type ScheduleConfig } from './schedule.js';
export { chooseKernels, KERNEL_POLICIES, type KernelChoice, type KernelPolicy } from './dispatch.js';
export { trainingMemory, type TrainingMemory } from './memory.js';
