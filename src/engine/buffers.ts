// Output buffers for kernels that overwrite every element. Large ones come from Buffer.allocUnsafe, which above
// its pool threshold returns an unpooled ArrayBuffer of exactly that size without the zero fill (megabytes per
// call for conv activations); anything else, or a pooled slice, gets an ordinary zeroed array.

function uninitializedBuffer(bytes: number): ArrayBuffer | null {
  if (bytes < 1 << 16) return null;
  const b = Buffer.allocUnsafe(bytes);
  return b.byteOffset === 0 && b.buffer.byteLength === bytes ? (b.buffer as ArrayBuffer) : null;
}

export function uninitializedF32(n: number): Float32Array {
  const buf = uninitializedBuffer(n * 4);
  return buf ? new Float32Array(buf, 0, n) : new Float32Array(n);
}

export function uninitializedI32(n: number): Int32Array {
  const buf = uninitializedBuffer(n * 4);
  return buf ? new Int32Array(buf, 0, n) : new Int32Array(n);
}
