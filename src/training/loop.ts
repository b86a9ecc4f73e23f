// The training loop every command and study uses: seeded batches, scheduled learning rate, one optimizer step at a
// time, and behaviour plugged in as callbacks (evaluation, progress, the rewind point: callbacks.ts). With a
// checkpoint it saves weights, optimizer and callback state every so often and resumes from them bit-identically;
// a stop request (Ctrl-C) saves a checkpoint and ends with a clear error.
import type { Dataset } from '../data/types.js';
import type { BatchSampler } from '../data/sampler.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { lrAt, type ScheduleConfig } from '../nn/schedule.js';
import { InterruptedError } from '../util/errors.js';
import type { LossFn } from './loss.js';
import { skipBatches, trainStep, type Augment, type MixIn } from './step.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointSpec } from './checkpoint.js';

export interface StepEnd {
  /** Steps finished so far (1 after the first). */
  step: number;
  loss: number;
  lr: number;
  /** Seconds the step itself took (callbacks and checkpoints excluded). */
  seconds: number;
}

/** Behaviour plugged into the loop. `name` keys its state in checkpoints. */
export interface Callback {
  name: string;
  /** Before the first step: `step` is where training starts, `resumed` whether from a checkpoint. */
  start?(step: number, resumed: boolean): void;
  afterStep?(s: StepEnd): void;
  /** Checked after every step: true ends training there (e.g. some epochs after a goal was reached). */
  shouldStop?(): boolean;
  /** Plain JSON a checkpoint keeps for a bit-identical resume, and its restoration. */
  state?(): unknown;
  restore?(state: unknown): void;
}

export interface TrainLoopSpec {
  model: Module;
  optimizer: Optimizer;
  data: Dataset;
  sampler: BatchSampler;
  loss: LossFn;
  augment?: Augment;
  mixIn?: MixIn;
  schedule: ScheduleConfig;
  /** First step (the rewind point when rewinding) and the step to stop at. */
  startStep: number;
  endStep: number;
  callbacks?: Callback[];
  checkpoint?: CheckpointSpec;
  /** Aborted: stop at the next step boundary (after saving a checkpoint, when there is one). */
  signal?: AbortSignal;
}

export interface TrainLoopResult {
  /** Seconds spent in training steps (callbacks and checkpoints excluded), summed over resumptions. */
  seconds: number;
  lastLoss: number;
  resumed: boolean;
  /** The step training ended at: endStep, or earlier when a callback stopped it. */
  stoppedAt: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainLoop(spec: TrainLoopSpec): Promise<TrainLoopResult> {
  const { model, optimizer, sampler, checkpoint } = spec;
  const callbacks = spec.callbacks ?? [];
  const baseLr = optimizer.lr;
  let step = spec.startStep;
  let seconds = 0;
  let lastLoss = NaN;
  const saved = checkpoint ? loadCheckpoint(checkpoint, model, optimizer) : null;
  if (saved) {
    ({ step, seconds } = saved);
    for (const c of callbacks) c.restore?.(saved.callbacks[c.name]);
  }
  for (const c of callbacks) c.start?.(step, saved !== null);
  skipBatches(sampler, step);
  const save = () => {
    if (!checkpoint) return;
    const states = Object.fromEntries(callbacks.filter((c) => c.state).map((c) => [c.name, c.state!()]));
    saveCheckpoint(checkpoint, model, optimizer, { step, seconds, callbacks: states });
  };
  let lastYield = Date.now();
  model.train();
  try {
    while (step < spec.endStep) {
      if (spec.signal?.aborted) {
        save();
        throw new InterruptedError(
          `stopped at step ${step} of ${spec.endStep}${checkpoint ? '; rerun the same command to resume' : ''}`,
        );
      }
      const t0 = process.hrtime.bigint();
      optimizer.lr = lrAt(baseLr, step, spec.schedule);
      lastLoss = trainStep(spec, step);
      const took = Number(process.hrtime.bigint() - t0) / 1e9;
      seconds += took;
      step++;
      for (const c of callbacks) c.afterStep?.({ step, loss: lastLoss, lr: optimizer.lr, seconds: took });
      if (callbacks.some((c) => c.shouldStop?.())) break;
      if (checkpoint && step % checkpoint.every === 0 && step < spec.endStep) save();
      if (Date.now() - lastYield > 100) {
        await yieldToEventLoop(); // lets the progress bar draw and signals arrive
        lastYield = Date.now();
      }
    }
  } finally {
    optimizer.lr = baseLr;
  }
  return { seconds, lastLoss, resumed: saved !== null, stoppedAt: step };
}
