// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled decay), PyTorch's formulas including
// bias correction. Moments stay zero at masked weights, which stay exactly zero.
import { native } from '../../engine/native.js';
import type { Parameter } from '../parameter.js';
import { Optimizer, readStep, sparseUpdateIndices, stepEntry, unmaskedStorage } from './optimizer.js';
import { Slots } from './slots.js';

export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private readonly moments: Slots;

  constructor(params: readonly Parameter[], cfg: AdamConfig) {
    super(params, cfg.lr);
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.weightDecay = cfg.weightDecay ?? 0;
    for (const [name, b] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const)
      if (!(b >= 0 && b < 1)) throw new RangeError(`${name} must be in [0, 1), got ${b}`);
    if (!(this.eps > 0)) throw new RangeError(`eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.moments = new Slots(params, ['exp_avg', 'exp_avg_sq']);
  }

  step(): void {
    this.stepCount++;
    for (const [i, p, g] of this.withGrads()) {
      const [m, v] = this.moments.get(i) as [Float32Array, Float32Array];
      const w = p.storage;
      const idx = p.packed ? null : sparseUpdateIndices(p);
      if (idx)
        native.adamStepIndexed(
          w,
          g,
          m,
          v,
          idx,
          idx.length,
          this.lr,
          this.beta1,
          this.beta2,
          this.eps,
          this.weightDecay,
          this.decoupled,
          this.stepCount,
        );
      else
        native.adamStep(
          w,
          g,
          m,
          v,
          unmaskedStorage(p) ? null : p.mask,
          w.length,
          this.lr,
          this.beta1,
          this.beta2,
          this.eps,
          this.weightDecay,
          this.decoupled,
          this.stepCount,
        );
    }
  }

  reset(): void {
    this.moments.clear();
    this.stepCount = 0;
  }

  stateBytes(): number {
    return this.moments.bytes();
  }

  stateDict(): Map<string, Float32Array> {
    const s = new Map<string, Float32Array>([['step', stepEntry(this.stepCount)]]);
    this.params.forEach((p, i) => {
      // Moments not allocated yet are zeros.
      const [m, v] = this.moments.dense(i) ?? [new Float32Array(p.size), new Float32Array(p.size)];
      s.set(`${i}.exp_avg`, m!);
      s.set(`${i}.exp_avg_sq`, v!);
    });
    return s;
  }

  loadStateDict(state: ReadonlyMap<string, Float32Array>): void {
    this.stepCount = readStep(state.get('step'));
    this.params.forEach((_, i) => {
      const m = state.get(`${i}.exp_avg`);
      const v = state.get(`${i}.exp_avg_sq`);
      if (!m || !v) throw new Error(`optimizer state is missing '${i}.${m ? 'exp_avg_sq' : 'exp_avg'}'`);
      this.moments.load(i, [m, v]);
    });
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: readonly Parameter[], cfg: AdamConfig) {
    super(params, { weightDecay: 0.01, ...cfg });
  }
}
