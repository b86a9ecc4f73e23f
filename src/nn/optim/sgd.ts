// SGD with PyTorch's semantics: weight decay added to the gradient, momentum buffer initialized to the first
// gradient, optional dampening and Nesterov. Masked weights stay exactly zero (fused native update).
import { native } from '../../engine/native.js';
import type { Parameter } from '../parameter.js';
import { Optimizer, readStep, sparseUpdateIndices, stepEntry, unmaskedStorage } from './optimizer.js';
import { Slots } from './slots.js';

export interface SgdConfig {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly momentumBuffers: Slots;

  constructor(params: readonly Parameter[], cfg: SgdConfig) {
    super(params, cfg.lr);
    this.momentum = cfg.momentum ?? 0;
    this.dampening = cfg.dampening ?? 0;
    this.weightDecay = cfg.weightDecay ?? 0;
    this.nesterov = cfg.nesterov ?? false;
    if (this.momentum < 0 || this.momentum >= 1)
      throw new RangeError(`momentum must be in [0, 1), got ${this.momentum}`);
    if (this.weightDecay < 0) throw new RangeError(`weight decay must be >= 0, got ${this.weightDecay}`);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0))
      throw new RangeError('Nesterov momentum needs momentum > 0 and no dampening');
    this.momentumBuffers = new Slots(params, ['momentum_buffer']);
  }

  step(): void {
    this.stepCount++;
    for (const [i, p, g] of this.withGrads()) {
      const first = this.momentum !== 0 && !this.momentumBuffers.has(i);
      const buf = this.momentum !== 0 ? this.momentumBuffers.get(i)[0]! : null;
      const w = p.storage;
      const idx = p.packed ? null : sparseUpdateIndices(p);
      if (idx)
        native.sgdStepIndexed(
          w,
          g,
          buf,
          idx,
          idx.length,
          this.lr,
          this.momentum,
          this.dampening,
          this.weightDecay,
          this.nesterov,
          first,
        );
      else
        native.sgdStep(
          w,
          g,
          buf,
          unmaskedStorage(p) ? null : p.mask,
          w.length,
          this.lr,
          this.momentum,
          this.dampening,
          this.weightDecay,
          this.nesterov,
          first,
        );
    }
  }

  reset(): void {
    this.momentumBuffers.clear();
    this.stepCount = 0;
  }

  stateBytes(): number {
    return this.momentumBuffers.bytes();
  }

  stateDict(): Map<string, Float32Array> {
    const s = new Map<string, Float32Array>([['step', stepEntry(this.stepCount)]]);
    this.params.forEach((_, i) => {
      const b = this.momentumBuffers.dense(i);
      if (b) s.set(`${i}.momentum_buffer`, b[0]!);
    });
    return s;
  }

  loadStateDict(state: ReadonlyMap<string, Float32Array>): void {
    this.stepCount = readStep(state.get('step'));
    this.params.forEach((_, i) => {
      const b = state.get(`${i}.momentum_buffer`);
      this.momentumBuffers.load(i, b ? [b] : null);
    });
  }
}
