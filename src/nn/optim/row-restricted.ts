// Training only some rows of a matrix (KS-Lottery's partial tuning of embedding rows): the gradient of every other
// row is zeroed before the inner optimizer steps. With plain Adam or SGD without weight decay a row that never
// gets a gradient keeps zero moments and so does not move at all; AdamW's decoupled decay would shrink it, which is
// why the constructor refuses an optimizer with weight decay.
import type { Parameter } from '../parameter.js';
import { Optimizer } from './optimizer.js';

export class RowRestricted extends Optimizer {
  private readonly keep: Uint8Array;
  private readonly width: number;

  constructor(
    private readonly inner: Optimizer & { weightDecay?: number },
    private readonly param: Parameter,
    rows: readonly number[],
  ) {
    super(inner.params, inner.lr);
    if (param.shape.length !== 2) throw new RangeError(`row-restricted training needs a matrix, got ${param.shape}`);
    if (!inner.params.includes(param)) throw new RangeError('the restricted parameter is not trained by the optimizer');
    if ((inner.weightDecay ?? 0) !== 0)
      throw new RangeError('row-restricted training needs an optimizer without weight decay: decay moves every row');
    const [n, width] = param.shape as [number, number];
    this.width = width;
    this.keep = new Uint8Array(n);
    for (const r of rows) {
      if (!(Number.isInteger(r) && r >= 0 && r < n)) throw new RangeError(`row ${r} is outside [0, ${n})`);
      this.keep[r] = 1;
    }
  }

  step(): void {
    const g = this.param.grad;
    if (g) {
      for (let r = 0; r < this.keep.length; r++) if (!this.keep[r]) g.fill(0, r * this.width, (r + 1) * this.width);
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
