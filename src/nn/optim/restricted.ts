// Training only chosen entries of some parameters (LTP's sparse mask of the weights that moved most): the gradient
// outside a parameter's trainable entries is zeroed before the inner optimizer steps. With plain Adam or SGD
// without weight decay, started from fresh state, an entry that never gets a gradient keeps zero moments and so does
// not move at all; decay would shrink it, which is why the constructor refuses an optimizer with weight decay.
//
// This is not a pruning mask: a pruned entry is zero and stays zero, a frozen one keeps whatever value it has.
import type { Parameter } from '../parameter.js';
import type { Module } from '../module.js';
import { Optimizer } from './optimizer.js';

export class ElementRestricted extends Optimizer {
  private readonly keep: ReadonlyMap<Parameter, Uint8Array>;

  /**
   * `trainable` maps a parameter of the inner optimizer to a 0/1 mask over its elements (1 = trains); a parameter
   * without an entry trains whole. Parameters outside the inner optimizer never move.
   */
  constructor(
    private readonly inner: Optimizer & { weightDecay?: number },
    trainable: ReadonlyMap<Parameter, Uint8Array>,
  ) {
    super(inner.params, inner.lr);
    if ((inner.weightDecay ?? 0) !== 0)
      throw new RangeError(
        'element-restricted training needs an optimizer without weight decay: decay moves every entry',
      );
    for (const [p, mask] of trainable) {
      if (!inner.params.includes(p)) throw new RangeError('a restricted parameter is not trained by the optimizer');
      if (mask.length !== p.size)
        throw new RangeError(`trainable mask has ${mask.length} entries, the parameter has ${p.size}`);
      for (const m of mask)
        if (m !== 0 && m !== 1) throw new RangeError(`trainable mask entries must be 0 or 1, got ${m}`);
    }
    this.keep = new Map(trainable);
  }

  step(): void {
    for (const [p, keep] of this.keep) {
      const g = p.grad;
      if (!g || p.gradStale) continue;
      // A packed weight's gradient holds its non-zeros only, in the order of `active`.
      if (p.packed) {
        const at = p.active!;
        for (let j = 0; j < at.length; j++) if (!keep[at[j]!]) g[j] = 0;
      } else for (let i = 0; i < keep.length; i++) if (!keep[i]) g[i] = 0;
    }
    this.inner.lr = this.lr;
    this.inner.step();
    this.stepCount = this.inner.stepCount;
  }

  reset(): void {
    this.inner.reset();
    this.stepCount = 0;
  }

  stateBytes(): number {
    return this.inner.stateBytes();
  }

  stateDict(): Map<string, Float32Array> {
    return this.inner.stateDict();
  }

  loadStateDict(state: ReadonlyMap<string, Float32Array>): void {
    this.inner.loadStateDict(state);
    this.stepCount = this.inner.stepCount;
  }
}

/**
 * Turns off gradients of every parameter of `model` not in `trainable`, so backward still runs through them but
 * computes no weight gradient for them. Returns a function that puts the previous flags back.
 */
export function freezeExcept(model: Module, trainable: ReadonlySet<Parameter>): () => void {
  const frozen = model.parameters().filter((p) => !trainable.has(p));
  const before = frozen.map((p) => p.requiresGrad);
  for (const p of frozen) p.requiresGrad = false;
  return () => frozen.forEach((p, i) => (p.requiresGrad = before[i]!));
}
