// The standard callbacks of the training loop: the evaluation curve, progress reports and a hook at one step.
import type { Dataset } from '../data/types.js';
import type { Module } from '../nn/module.js';
import { evaluate } from './evaluate.js';
import type { LossFn } from './loss.js';
import type { Callback, StepEnd } from './loop.js';

export interface CurvePoint {
  step: number;
  /** Mean training loss since the previous point (null at the start). */
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  test_loss: number;
  test_accuracy: number | null;
}

export interface CurveOptions {
  model: Module;
  loss: LossFn;
  validation: Dataset | null;
  test: Dataset;
  /** Evaluate every this many steps (0: only at the start and the end). */
  every: number;
  /** Samples per evaluation batch (default 1000). */
  batchSize?: number;
  endStep: number;
}

/** Evaluates validation and test sets at the start, every `every` steps and at the end. */
export class EvaluationCurve implements Callback {
  readonly name = 'curve';
  points: CurvePoint[] = [];
  private lossSum = 0;
  private lossCount = 0;

  constructor(private readonly o: CurveOptions) {}

  start(step: number, resumed: boolean): void {
    if (!resumed) this.points.push(this.point(step, null));
  }

  afterStep(s: StepEnd): void {
    this.lossSum += s.loss;
    this.lossCount++;
    if ((this.o.every > 0 && s.step % this.o.every === 0) || s.step === this.o.endStep) {
      this.points.push(this.point(s.step, this.lossSum / this.lossCount));
      this.lossSum = 0;
      this.lossCount = 0;
    }
  }

  state(): unknown {
    return { points: this.points, lossSum: this.lossSum, lossCount: this.lossCount };
  }

  restore(s: unknown): void {
    const v = s as { points: CurvePoint[]; lossSum: number; lossCount: number } | undefined;
    if (!v || !Array.isArray(v.points)) return;
    ({ points: this.points, lossSum: this.lossSum, lossCount: this.lossCount } = v);
  }

  private point(step: number, trainLoss: number | null): CurvePoint {
    const { model, loss } = this.o;
    const val = this.o.validation ? evaluate(model, this.o.validation, loss, this.o.batchSize) : null;
    const test = evaluate(model, this.o.test, loss, this.o.batchSize);
    return {
      step,
      train_loss: trainLoss,
      val_loss: val?.loss ?? null,
      val_accuracy: val?.accuracy ?? null,
      test_loss: test.loss,
      test_accuracy: test.accuracy,
    };
  }
}

/** Reports every finished step (progress bars, JSON events). */
export function onEveryStep(fn: (s: StepEnd) => void): Callback {
  return { name: 'progress', afterStep: fn };
}

/** Calls fn once, right after step `step` (e.g. to store the rewind point θk). */
export function atStep(step: number, fn: () => void): Callback {
  return { name: `at-${step}`, afterStep: (s) => (s.step === step ? fn() : undefined) };
}

/** Keeps a value in checkpoints (e.g. the level's kernel choices) and hands it back on resume. */
export function checkpointed<T>(name: string, value: () => T, restore: (v: T) => void): Callback {
  return { name, state: value, restore: (v) => (v === undefined ? undefined : restore(v as T)) };
}
