// Multi-head scaled dot-product attention on [batch, seq, heads · headDim] activations, fused in the native core:
// each head reads its column slice of q, k and v in place, and per (batch, head) only the [Sq, Sk] probabilities
// are kept for the backward pass. Forward + backward at B=32, S=64, D=128, 4 heads, causal, one thread: 3.6 ms,
// against 12 ms for the same attention composed of head transposes, bmm and softmax (bench/transformer-ops.ts).
import { kernels } from '../kernels.js';
import { Tensor, accumulateGrad, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';

/** Keys to hide per batch element: valid lengths (keys at positions ≥ length are padding) or a 0/1 mask [B, Sk]. */
export type KeyPadding = { lengths: ArrayLike<number> } | { mask: ArrayLike<number> };

export interface AttentionOptions {
  heads: number;
  /** Query i sees keys 0..i only (PyTorch's is_causal). */
  causal?: boolean;
  keyPadding?: KeyPadding;
  /** Multiplies q·kᵀ; default 1/√headDim. */
  scale?: number;
}

/** The key mask [B, Sk] (1 = attend, 0 = padding) the kernel reads, or null when nothing is padded. */
function keyMask(p: KeyPadding | undefined, B: number, Sk: number): Float32Array | null {
  if (!p) return null;
  const m = new Float32Array(B * Sk);
  if ('lengths' in p) {
    if (p.lengths.length !== B) throw new RangeError(`attention: ${p.lengths.length} key lengths for batch ${B}`);
    for (let b = 0; b < B; b++) {
      const len = p.lengths[b]!;
      if (!Number.isInteger(len) || len < 0 || len > Sk)
        throw new RangeError(`attention: key length ${len} outside [0, ${Sk}]`);
      m.fill(1, b * Sk, b * Sk + len);
    }
  } else {
    if (p.mask.length !== B * Sk)
      throw new RangeError(`attention: key mask has ${p.mask.length} entries, needs ${B * Sk}`);
    for (let i = 0; i < m.length; i++) {
      const v = p.mask[i]!;
      if (v !== 0 && v !== 1) throw new RangeError(`attention: key mask entries must be 0 or 1, found ${v}`);
      m[i] = v;
    }
  }
  return m;
}

/**
 * softmax(scale·q·kᵀ + masks)·v per head. q [B, Sq, D], k and v [B, Sk, D], D = heads · headDim; returns
 * [B, Sq, D] with the heads side by side, ready for the output projection. A query that sees no key at all (every
 * key padded) gets zeros, not NaN.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): Tensor {
  for (const t of [q, k, v])
    if (t.ndim !== 3 || t.featureMajor)
      throw new RangeError(`attention: inputs must be [B, S, D], got ${shapeStr(t.shape)}`);
  const [B, Sq, D] = q.shape as [number, number, number];
  const Sk = k.shape[1]!;
  if (k.shape[0] !== B || k.shape[2] !== D || v.shape.some((d, i) => d !== k.shape[i]))
    throw new RangeError(
      `attention: q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)} and v ${shapeStr(v.shape)} do not match`,
    );
  const H = opts.heads;
  if (!Number.isInteger(H) || H < 1 || D % H !== 0)
    throw new RangeError(`attention: ${H} heads do not divide the model width ${D}`);
  if (Sk === 0) throw new RangeError('attention: no keys');
  const hd = D / H;
  const scale = opts.scale ?? 1 / Math.sqrt(hd);
  const causal = opts.causal ?? false;
  const mask = keyMask(opts.keyPadding, B, Sk);
  const out = new Tensor(uninitializedF32(B * Sq * D), [B, Sq, D]);
  const probs = uninitializedF32(B * H * Sq * Sk);
  kernels().attentionForward(q.data, k.data, v.data, mask, out.data, probs, B, Sq, Sk, H, hd, causal, scale);
  if (!needsGrad(q, k, v)) return out;
  return record(out, 'attention', [q, k, v], (g) => {
    const [dq, dk, dv] = [q, k, v].map((t) => (t.requiresGrad ? uninitializedF32(t.size) : null)) as [
      Float32Array | null,
      Float32Array | null,
      Float32Array | null,
    ];
    kernels().attentionBackward(q.data, k.data, v.data, probs, g, dq, dk, dv, B, Sq, Sk, H, hd, scale);
    if (dq) accumulateGrad(q, dq);
    if (dk) accumulateGrad(k, dk);
    if (dv) accumulateGrad(v, dv);
  });
}
