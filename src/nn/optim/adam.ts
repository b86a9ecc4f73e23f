// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled decay), PyTorch's formulas including
// bias correction. Moments stay zero at masked weights, which stay exactly zero.
import { native } from '../../engine/native.js';
import type { Parameter } from '../parameter.js';
import { Optimizer, readStep, sparseUpdateIndices, stepEntry } from './optimizer.js';

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
  private m: Float32Array[];
  private v: Float32Array[];

  constructor(params: readonly Parameter[], cfg: AdamConfig) {
    super(params, cfg.lr);
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.weightDecay = cfg.weightDecay ?? 0;
    for (const [name, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const)
      if (!(b >= 0 && b < 1)) throw new RangeError(`${name} must be in [0, 1), got ${b}`);
    if (!(this.eps > 0)) throw new RangeError(`eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`weight decay must be >= 0, got ${this.weightDecay}`);
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
  }

  step(): void {
    this.stepCount++;
    for (const [i, p, g] of this.withGrads()) {
      const idx = sparseUpdateIndices(p);
      if (idx) native.adamStepIndexed(p.data, g, this.m[i]!, this.v[i]!, idx, idx.length, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, this.decoupled, this.stepCount);
      else native.adamStep(p.data, g, this.m[i]!, this.v[i]!, p.mask, p.size, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, this.decoupled, this.stepCount);
    }
  }

  reset(): void {
    for (const a of [...this.m, ...this.v]) a.fill(0);
    this.stepCount = 0;
  }

  stateDict(): Map<string, Float32Array> {
    const s = new Map<string, Float32Array>([['step', stepEntry(this.stepCount)]]);
    this.params.forEach((_, i) => {
      s.set(`${i}.exp_avg`, this.m[i]!.slice());
      s.set(`${i}.exp_avg_sq`, this.v[i]!.slice());
    });
    return s;
  }

  loadStateDict(state: ReadonlyMap<string, Float32Array>): void {
    this.stepCount = readStep(state.get('step'));
    this.params.forEach((p, i) => {
      for (const [key, dst] of [[`${i}.exp_avg`, this.m[i]!], [`${i}.exp_avg_sq`, this.v[i]!]] as const) {
        const src = state.get(key);
        if (!src) throw new Error(`optimizer state is missing '${key}'`);
        if (src.length !== p.size) throw new RangeError(`'${key}' has ${src.length} values, parameter has ${p.size}`);
        dst.set(src);
      }
    });
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: readonly Parameter[], cfg: AdamConfig) {
    super(params, { weightDecay: 0.01, ...cfg });
  }
}
