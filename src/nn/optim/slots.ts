// Per-parameter optimizer state (Adam's moments, SGD's momentum) laid out like the parameter's storage: dense
// (one value per weight) or packed (one per non-zero, in `active` order) when the weight trains on a sparse
// kernel. Buffers are allocated on first use, so a weight packed before its first step never holds dense state,
// and they are converted when a weight is packed or unpacked between steps.
import { native } from '../../engine/native.js';
import type { Parameter } from '../parameter.js';

export class Slots {
  private bufs: (Float32Array[] | null)[];
  /** The index list each parameter's buffers are packed by (null: dense). */
  private packedBy: (Int32Array | null)[];

  constructor(
    private readonly params: readonly Parameter[],
    readonly names: readonly string[],
  ) {
    this.bufs = params.map(() => null);
    this.packedBy = params.map(() => null);
  }

  /** Whether parameter i has state yet. */
  has(i: number): boolean {
    return this.bufs[i] !== null;
  }

  /** Parameter i's buffers in its current storage layout, zero-filled on first use. */
  get(i: number): Float32Array[] {
    const p = this.params[i]!;
    const want = p.packed ? p.active! : null;
    let b = this.bufs[i];
    if (!b) {
      b = this.names.map(() => new Float32Array(p.gradSize));
      this.bufs[i] = b;
      this.packedBy[i] = want;
      return b;
    }
    const have = this.packedBy[i]!;
    if (have !== want) {
      b = b.map((buf) => {
        const dense = have ? scatter(buf, have, p.size) : buf;
        return want ? gather(dense, want) : dense;
      });
      this.bufs[i] = b;
      this.packedBy[i] = want;
    }
    return b;
  }

  /** Dense copies of parameter i's buffers (for saving), or null before its first step. */
  dense(i: number): Float32Array[] | null {
    const b = this.bufs[i];
    if (!b) return null;
    const have = this.packedBy[i];
    return b.map((buf) => (have ? scatter(buf, have, this.params[i]!.size) : buf.slice()));
  }

  /** Replaces parameter i's state with dense copies (null: no state yet). */
  load(i: number, dense: Float32Array[] | null): void {
    const size = this.params[i]!.size;
    if (dense)
      for (const d of dense)
        if (d.length !== size)
          throw new RangeError(`optimizer state for parameter ${i} has ${d.length} values, the parameter has ${size}`);
    this.bufs[i] = dense ? dense.map((d) => d.slice()) : null;
    this.packedBy[i] = null;
  }

  /** Bytes held by all buffers. */
  bytes(): number {
    let n = 0;
    for (const b of this.bufs) if (b) for (const buf of b) n += buf.byteLength;
    return n;
  }

  clear(): void {
    this.bufs = this.params.map(() => null);
    this.packedBy = this.params.map(() => null);
  }
}

function scatter(values: Float32Array, idx: Int32Array, size: number): Float32Array {
  const dense = new Float32Array(size);
  native.scatterIndexed(values, idx, dense, idx.length, false);
  return dense;
}

function gather(dense: Float32Array, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length);
  native.gatherIndexed(dense, idx, out, idx.length);
  return out;
}
