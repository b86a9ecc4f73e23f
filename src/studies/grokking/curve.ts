// What a grokking run measures, as a callback of the training loop: train and test accuracy and loss and the weight
// norm every EVAL_EVERY epochs; t_mem and t_gen, the first measured epochs at which train and test accuracy reach
// 95%; and the request to stop `patience` epochs after generalizing. Its state rides in checkpoints, so a resumed
// run keeps its curve and its t_mem / t_gen.
import type { Dataset } from '../../data/types.js';
import type { Module } from '../../nn/module.js';
import { evaluate } from '../../training/evaluate.js';
import type { LossFn } from '../../training/loss.js';
import type { Callback, StepEnd } from '../../training/loop.js';
import { REACHED } from './settings.js';

export interface GrokPoint {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
  /** L2 norm of all parameters. */
  weight_norm: number;
}

export interface GrokCurveOptions {
  model: Module;
  loss: LossFn;
  train: Dataset;
  test: Dataset;
  every: number;
  /** Stop this many epochs after t_gen (0: never stop early). */
  patience: number;
  /** The last epoch of the run: always measured. */
  endEpoch: number;
}

/** The L2 norm of every parameter together. */
export function weightNorm(model: Module): number {
  let s = 0;
  for (const p of model.parameters()) for (const v of p.data) s += v * v;
  return Math.sqrt(s);
}

/** First epoch of the curve whose `key` accuracy reaches REACHED, or null. */
export function firstReaching(points: readonly GrokPoint[], key: 'train_accuracy' | 'test_accuracy'): number | null {
  for (const p of points) if (p[key] >= REACHED) return p.epoch;
  return null;
}

export class GrokCurve implements Callback {
  readonly name = 'grok-curve';
  points: GrokPoint[] = [];

  constructor(private readonly o: GrokCurveOptions) {}

  /** First measured epochs at REACHED train / test accuracy; kept as points arrive, so no step rescans the curve. */
  tMem: number | null = null;
  tGen: number | null = null;

  start(epoch: number, resumed: boolean): void {
    if (!resumed) this.measure(epoch);
  }

  afterStep(s: StepEnd): void {
    if (s.step % this.o.every === 0 || s.step === this.o.endEpoch || this.stopsAt(s.step)) this.measure(s.step);
  }

  shouldStop(): boolean {
    const last = this.points[this.points.length - 1];
    return last !== undefined && this.stopsAt(last.epoch);
  }

  state(): unknown {
    return { points: this.points };
  }

  restore(s: unknown): void {
    const v = s as { points?: GrokPoint[] } | undefined;
    if (!v || !Array.isArray(v.points)) return;
    this.points = v.points;
    this.tMem = firstReaching(this.points, 'train_accuracy');
    this.tGen = firstReaching(this.points, 'test_accuracy');
  }

  private stopsAt(epoch: number): boolean {
    const g = this.tGen;
    return this.o.patience > 0 && g !== null && epoch >= g + this.o.patience;
  }

  private measure(epoch: number): void {
    if (this.points.at(-1)?.epoch === epoch) return;
    const { model, loss } = this.o;
    const train = evaluate(model, this.o.train, loss);
    const test = evaluate(model, this.o.test, loss);
    const p: GrokPoint = {
      epoch,
      train_loss: train.loss,
      train_accuracy: train.accuracy ?? 0,
      test_loss: test.loss,
      test_accuracy: test.accuracy ?? 0,
      weight_norm: weightNorm(model),
    };
    this.points.push(p);
    if (this.tMem === null && p.train_accuracy >= REACHED) this.tMem = epoch;
    if (this.tGen === null && p.test_accuracy >= REACHED) this.tGen = epoch;
  }
}
