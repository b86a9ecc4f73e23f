// Multi-head attention written out in double precision, one query at a time: the oracle for the fused kernel.
import type { Tensor } from '../../src/engine/tensor.js';
import type { AttentionOptions } from '../../src/engine/ops/attention.js';

export function referenceAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): Float64Array {
  const [B, Sq, D] = q.shape as [number, number, number];
  const Sk = k.shape[1]!;
  const H = opts.heads;
  const hd = D / H;
  const scale = opts.scale ?? 1 / Math.sqrt(hd);
  const pad = opts.keyPadding;
  const visible = (b: number, i: number, j: number): boolean => {
    if (opts.causal && j > i) return false;
    if (pad && 'lengths' in pad) return j < pad.lengths[b]!;
    if (pad && 'mask' in pad) return pad.mask[b * Sk + j] === 1;
    return true;
  };
  const out = new Float64Array(B * Sq * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < Sq; i++) {
        const s: number[] = [];
        for (let j = 0; j < Sk; j++) {
          let dot = 0;
          for (let c = 0; c < hd; c++)
            dot += q.data[(b * Sq + i) * D + h * hd + c]! * k.data[(b * Sk + j) * D + h * hd + c]!;
          s.push(visible(b, i, j) ? dot * scale : -Infinity);
        }
        const mx = Math.max(...s);
        if (mx === -Infinity) continue; // no visible key: zeros
        const e = s.map((x) => Math.exp(x - mx));
        const z = e.reduce((a, x) => a + x, 0);
        for (let j = 0; j < Sk; j++)
          for (let c = 0; c < hd; c++)
            out[(b * Sq + i) * D + h * hd + c]! += (e[j]! / z) * v.data[(b * Sk + j) * D + h * hd + c]!;
      }
  return out;
}
