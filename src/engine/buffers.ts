// Output buffers for kernels that overwrite every element. Large ones come from Buffer.allocUnsafe, which above
// its pool threshold returns an unpooled ArrayBuffer of exactly that size without the zero fill (megabytes per
// call for conv activations); anything else, or a pooled slice, gets an ordinary zeroed array.
//
// Inside `recycling(fn)` (one training step) buffers of 16 KB or more are also taken back when fn returns and
// handed out again by the next step: fresh memory costs a page fault per 4 KB (measured: 1.2-1.4 ms for a 15.7 MB
// Conv-2 activation, against 0.3 ms to rewrite a reused one), and a conv net's step makes a dozen such buffers.
// When the step ends, every view of its buffers is detached (length 0; writing to one throws), so a buffer kept past
// its step fails loudly instead of reading the next step's data.

// 16 KB and up: a sparse LeNet step's activations and gradients are 24-190 KB, and allocating them fresh (zeroed,
// tracked by the GC) cost 10-15% of a 3.5% or 1.4% ticket's step on the 2-core AMD EPYC (in-process A/B, against
// recycling from 1 MB); a dense step did not change.
const RECYCLE_MIN_BYTES = 1 << 14;

/** Buffers handed out in the running step, or null outside `recycling`. */
let inStep: Set<ArrayBuffer> | null = null;
/** Last step's buffers by byte length, for the next step to reuse. */
let spare = new Map<number, ArrayBuffer[]>();

function freshBuffer(bytes: number): ArrayBuffer | null {
  if (bytes < RECYCLE_MIN_BYTES) return null;
  const b = Buffer.allocUnsafe(bytes);
  return b.byteOffset === 0 && b.buffer.byteLength === bytes ? (b.buffer as ArrayBuffer) : null;
}

function uninitializedBuffer(bytes: number): ArrayBuffer | null {
  if (!inStep || bytes < RECYCLE_MIN_BYTES) return freshBuffer(bytes);
  const buf = spare.get(bytes)?.pop() ?? freshBuffer(bytes);
  if (buf) inStep.add(buf);
  return buf;
}

export function uninitializedF32(n: number): Float32Array {
  const buf = uninitializedBuffer(n * 4);
  return buf ? new Float32Array(buf, 0, n) : new Float32Array(n);
}

export function uninitializedI32(n: number): Int32Array {
  const buf = uninitializedBuffer(n * 4);
  return buf ? new Int32Array(buf, 0, n) : new Int32Array(n);
}

/**
 * Runs fn (one training step) with its large op outputs drawn from the previous step's buffers, and takes them
 * back when it returns or throws. Nested calls join the outer step. Only last step's buffers are kept, so memory
 * held between steps is one step's large activations and gradients.
 */
export function recycling<T>(fn: () => T): T {
  if (inStep) return fn();
  const used = new Set<ArrayBuffer>();
  inStep = used;
  try {
    return fn();
  } finally {
    inStep = null;
    const next = new Map<number, ArrayBuffer[]>();
    for (const buf of used) {
      // Transferring moves the memory to a new ArrayBuffer without a copy and detaches the old one's views.
      const moved = structuredClone(buf, { transfer: [buf] });
      const list = next.get(moved.byteLength);
      if (list) list.push(moved);
      else next.set(moved.byteLength, [moved]);
    }
    spare = next;
  }
}

/** Whether this array's memory belongs to the running step (it is taken back, and its views detached, at the end). */
export function isStepBuffer(a: Float32Array): boolean {
  return inStep !== null && inStep.has(a.buffer as ArrayBuffer);
}
