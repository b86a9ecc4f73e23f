// Trainable tensors. Weights of linear and conv layers are prunable and may carry a mask; masked entries are
// zero in the data itself, and optimizers keep them zero, so forward passes need no extra multiply.
import { Tensor, type Shape, shapeStr } from '../engine/tensor.js';

export class Parameter extends Tensor {
  readonly prunable: boolean;
  mask: Float32Array | null = null;
  /** Indices of the mask's ones (ascending): optimizers update only these when the mask is sparse enough. */
  active: Int32Array | null = null;

  constructor(data: Float32Array, shape: Shape, prunable = false) {
    super(data, shape, true);
    this.prunable = prunable;
  }

  /** Attaches a 0/1 mask (or removes it with null) and zeroes the masked weights. */
  setMask(mask: Float32Array | null): void {
    if (mask === null) {
      this.mask = null;
      this.active = null;
      return;
    }
    if (!this.prunable) throw new Error('only prunable weights (linear and conv weights) can be masked');
    if (mask.length !== this.size) throw new RangeError(`mask has ${mask.length} entries, weight ${shapeStr(this.shape)} has ${this.size}`);
    for (let i = 0; i < mask.length; i++) {
      const m = mask[i]!;
      if (m !== 0 && m !== 1) throw new RangeError(`mask entries must be 0 or 1, found ${m} at ${i}`);
      if (m === 0) this.data[i] = 0;
    }
    if (this.mask !== mask) {
      let k = 0;
      for (let i = 0; i < mask.length; i++) k += mask[i]!;
      this.active = new Int32Array(k);
      for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] !== 0) this.active[j++] = i;
      this.grad = null; // a dense gradient from before holds values off the new mask
    }
    this.mask = mask;
  }

  /** Fraction of entries kept by the mask (1 when unmasked). */
  density(): number {
    if (!this.mask) return 1;
    let k = 0;
    for (let i = 0; i < this.mask.length; i++) k += this.mask[i]!;
    return k / this.mask.length;
  }
}
