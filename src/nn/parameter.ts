// Trainable tensors. Weights of linear and conv layers are prunable and may carry a mask; masked entries are
// zero in the data itself, and optimizers keep them zero, so forward passes need no extra multiply.
//
// A masked weight can be *packed* for sparse training: it then stores only its non-zeros (`values`, in the order
// of `active`, which is also CSR order) and their positions, releases its dense values and dense mask, and its
// gradient and optimizer state shrink to the same length: memory follows the ticket's size instead of the dense
// shape. Reading `data` unpacks it again and reading `mask` rebuilds the dense mask (always correct, but it gives
// the saving back), so the training path reads `storage` / `active` and uses `denseCopy()` / `assignDense()`.
import { Tensor, type Shape, shapeStr } from '../engine/tensor.js';
import { native } from '../engine/native.js';

export class Parameter extends Tensor {
  readonly prunable: boolean;
  /** Indices of the mask's ones (ascending), null when unmasked: optimizers update only these when the mask is sparse enough. */
  active: Int32Array | null = null;
  private _mask: Float32Array | null = null;
  /** The non-zeros at `active` while packed, else null. */
  private packedValues: Float32Array | null = null;

  constructor(data: Float32Array, shape: Shape, prunable = false) {
    super(data, shape, true);
    this.prunable = prunable;
  }

  get packed(): boolean {
    return this.packedValues !== null;
  }

  /** The dense values; unpacks a packed parameter first. */
  override get data(): Float32Array {
    if (this.packedValues) this.unpack();
    return this._data;
  }

  override set data(d: Float32Array) {
    if (d.length !== this.size)
      throw new RangeError(`data has ${d.length} elements but shape ${shapeStr(this.shape)} needs ${this.size}`);
    if (this.packedValues) {
      this.packedValues = null;
      this.grad = null;
    }
    this._data = d;
  }

  /** The 0/1 mask (null when unmasked). A packed weight released it: it is rebuilt from `active` on request. */
  get mask(): Float32Array | null {
    if (!this._mask && this.active) {
      const m = new Float32Array(this.size);
      for (const i of this.active) m[i] = 1;
      this._mask = m;
    }
    return this._mask;
  }

  /** Whether a mask is attached (without rebuilding a released one). */
  get masked(): boolean {
    return this.active !== null;
  }

  /** What optimizers update: the packed non-zeros, or the dense values. */
  get storage(): Float32Array {
    return this.packedValues ?? this._data;
  }

  override get gradSize(): number {
    return this.packedValues ? this.packedValues.length : this.size;
  }

  /** Keeps only the mask's non-zeros (the dense array is released). No-op when already packed. */
  pack(): void {
    if (this.packedValues) return;
    if (!this.active) throw new Error('only a masked weight can be packed');
    const values = new Float32Array(this.active.length);
    native.gatherIndexed(this._data, this.active, values, values.length);
    this.packedValues = values;
    this._data = EMPTY;
    this._mask = null; // `active` says the same in a fraction of the memory
    this.grad = null;
  }

  /** Back to dense storage (zeros off the mask). No-op when not packed. */
  unpack(): void {
    const values = this.packedValues;
    if (!values) return;
    const dense = new Float32Array(this.size);
    native.scatterIndexed(values, this.active!, dense, values.length, false);
    this.packedValues = null;
    this._data = dense;
    this.grad = null;
  }

  /** A dense copy of the values, packed or not (the parameter stays as it is). */
  denseCopy(): Float32Array {
    if (!this.packedValues) return this._data.slice();
    const dense = new Float32Array(this.size);
    native.scatterIndexed(this.packedValues, this.active!, dense, this.packedValues.length, false);
    return dense;
  }

  /** Sets the values from a dense array, keeping the storage (packed or not); masked entries become zero. */
  assignDense(src: Float32Array): void {
    if (src.length !== this.size)
      throw new RangeError(`${src.length} values given, weight ${shapeStr(this.shape)} has ${this.size}`);
    if (this.packedValues) native.gatherIndexed(src, this.active!, this.packedValues, this.packedValues.length);
    else {
      this._data.set(src);
      if (this.active) this.setMask(this.mask);
    }
  }

  /** Attaches a 0/1 mask (or removes it with null) and zeroes the masked weights. Unpacks a packed weight. */
  setMask(mask: Float32Array | null): void {
    this.unpack();
    if (mask === null) {
      this._mask = null;
      this.active = null;
      return;
    }
    if (!this.prunable) throw new Error('only prunable weights (linear and conv weights) can be masked');
    if (mask.length !== this.size)
      throw new RangeError(`mask has ${mask.length} entries, weight ${shapeStr(this.shape)} has ${this.size}`);
    const data = this._data;
    for (let i = 0; i < mask.length; i++) {
      const m = mask[i]!;
      if (m !== 0 && m !== 1) throw new RangeError(`mask entries must be 0 or 1, found ${m} at ${i}`);
      if (m === 0) data[i] = 0;
    }
    if (this._mask !== mask || !this.active) {
      let k = 0;
      for (let i = 0; i < mask.length; i++) k += mask[i]!;
      this.active = new Int32Array(k);
      for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] !== 0) this.active[j++] = i;
      this.grad = null; // a dense gradient from before holds values off the new mask
    }
    this._mask = mask;
  }

  /** Fraction of entries kept by the mask (1 when unmasked). */
  density(): number {
    return this.active ? this.active.length / this.size : 1;
  }

  /** Bytes of the dense mask now held (0 when unmasked or released by packing). */
  get maskBytes(): number {
    return this._mask?.byteLength ?? 0;
  }
}

const EMPTY = new Float32Array(0);
