// SGD with PyTorch's semantics: weight decay added to the gradient, momentum buffer initialized to the first
// gradient, optional dampening and Nesterov. Masked weights stay exactly zero (fused native update).
import { native } from '../../engine/native.js';
import type { Parameter } from '../parameter.js';
import { Optimizer, readStep, sparseUpdateIndices, stepEntry } from './optimizer.js';

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
  private buffers: (Float32Array | null)[];

  constructor(params: readonly Parameter[], cfg: SgdConfig) {
    super(params, cfg.lr);
    this.momentum = cfg.momentum ?? 0;
    this.dampening = cfg.dampening ?? 0;
    this.weightDecay = cfg.weightDecay ?? 0;
    this.nesterov = cfg.nesterov ?? false;
    if (this.momentum < 0 || this.momentum >= 1) throw new RangeError(`momentum must be in [0, 1), got ${this.momentum}`);
    if (this.weightDecay < 0) throw new RangeError(`weight decay must be >= 0, got ${this.weightDecay}`);
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) throw new RangeError('Nesterov momentum needs momentum > 0 and no dampening');
    this.buffers = params.map(() => null);
  }

  step(): void {
    this.stepCount++;
    for (const [i, p, g] of this.withGrads()) {
      let buf = this.buffers[i]!;
      const first = this.momentum !== 0 && buf === null;
      if (this.momentum !== 0 && buf === null) buf = this.buffers[i] = new Float32Array(p.size);
      const idx = sparseUpdateIndices(p);
      if (idx) native.sgdStepIndexed(p.data, g, buf, idx, idx.length, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov, first);
      else native.sgdStep(p.data, g, buf, p.mask, p.size, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov, first);
    }
  }

  reset(): void {
    this.buffers = this.params.map(() => null);
    this.stepCount = 0;
  }

  stateDict(): Map<string, Float32Array> {
    const s = new Map<string, Float32Array>([['step', stepEntry(this.stepCount)]]);
    this.buffers.forEach((b, i) => b && s.set(`${i}.momentum_buffer`, b.slice()));
    return s;
  }

  loadStateDict(state: ReadonlyMap<string, Float32Array>): void {
    this.stepCount = readStep(state.get('step'));
    this.buffers = this.params.map((p, i) => {
      const b = state.get(`${i}.momentum_buffer`);
      if (b && b.length !== p.size) throw new RangeError(`momentum buffer ${i} has ${b.length} values, parameter has ${p.size}`);
      return b ? b.slice() : null;
    });
  }
}
