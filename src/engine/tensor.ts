// Tensors: a Float32Array plus a shape, and what autograd needs (a gradient buffer and the function that
// produced the tensor). Data is row-major; images are NCHW.
import { native } from './native.js';
import { isStepBuffer } from './buffers.js';

export type Shape = readonly number[];

/** How a tensor was computed: its inputs and how to push a gradient back to them. */
export interface GradFn {
  readonly name: string;
  readonly parents: readonly Tensor[];
  /** Receives d(loss)/d(output) and accumulates into the parents' gradients. */
  backward(gradOut: Float32Array): void;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export class Tensor {
  readonly shape: number[];
  /** Element count of `shape` (a packed parameter's storage may hold fewer values: see nn/parameter.ts). */
  readonly size: number;
  protected _data: Float32Array;
  grad: Float32Array | null = null;
  /** The gradient buffer holds last step's values: the next write overwrites instead of adding. */
  gradStale = false;
  /**
   * Rows of a 2-D tensor outside which the gradient buffer is known to hold zeros, or null when unknown. Set by
   * the embedding's backward pass, so the next step clears only those rows instead of a vocabulary-sized table;
   * every other writer goes through gradTarget / accumulateGrad, which reset it.
   */
  gradRows: Int32Array | null = null;
  requiresGrad: boolean;
  gradFn: GradFn | null = null;
  /**
   * A 2-D activation stored transposed, [features, batch], while `shape` stays [batch, features]: the layout the
   * sparse kernels want. Chains of sparse layers pass it along without transposing; other ops convert (layout.ts).
   */
  featureMajor = false;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    const n = sizeOf(shape);
    if (data.length !== n)
      throw new RangeError(`data has ${data.length} elements but shape ${shapeStr(shape)} needs ${n}`);
    this._data = data;
    this.size = n;
    this.shape = [...shape];
    this.requiresGrad = requiresGrad;
  }

  static zeros(shape: Shape, requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape, requiresGrad);
  }

  static from(values: ArrayLike<number>, shape?: Shape, requiresGrad = false): Tensor {
    return new Tensor(Float32Array.from(values), shape ?? [values.length], requiresGrad);
  }

  /** The values, row-major over `shape`. */
  get data(): Float32Array {
    return this._data;
  }

  set data(d: Float32Array) {
    if (d.length !== this.size)
      throw new RangeError(`data has ${d.length} elements but shape ${shapeStr(this.shape)} needs ${this.size}`);
    this._data = d;
  }

  /** Length of the gradient buffer: the element count, or a packed parameter's number of stored values. */
  get gradSize(): number {
    return this.size;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item() needs one element, tensor has shape ${shapeStr(this.shape)}`);
    return this.data[0]!;
  }

  /** Drops the gradient (the buffer is kept and overwritten on the next backward pass). */
  zeroGrad(): void {
    if (this.grad) this.gradStale = true;
  }

  /** A tensor sharing this one's data, outside the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, this.requiresGrad);
  }
}

/**
 * The buffer an op's backward pass should write a parent's gradient into, and whether it must add to what is
 * there. Reuses a stale buffer so parameters do not reallocate gradients every step.
 */
export function gradTarget(t: Tensor): { buf: Float32Array; accumulate: boolean } | null {
  if (!t.requiresGrad) return null;
  t.gradRows = null;
  if (t.grad && !t.gradStale) return { buf: t.grad, accumulate: true };
  if (!t.grad) t.grad = new Float32Array(t.gradSize);
  t.gradStale = false;
  return { buf: t.grad, accumulate: false };
}

/**
 * Adds `g` to t's gradient. `g` must be a buffer the caller owns and will not reuse: when t has no gradient yet,
 * it is adopted without a copy.
 */
export function accumulateGrad(t: Tensor, g: Float32Array): void {
  if (!t.requiresGrad) return;
  t.gradRows = null;
  if (!t.grad) {
    // A step's recycled buffer (engine/buffers.ts) is adopted only by a tensor computed in the step; a leaf (a
    // parameter, which outlives the step) keeps a copy.
    t.grad = t.gradFn === null && isStepBuffer(g) ? g.slice() : g;
  } else if (t.gradStale) {
    t.grad.set(g);
  } else {
    native.axpy(1, g, t.grad, g.length);
    return;
  }
  t.gradStale = false;
}
