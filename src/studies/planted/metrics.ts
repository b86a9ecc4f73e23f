// How well a pruning mask recovers the planted ticket: precision (kept weights that are planted), recall (planted
// weights that are kept) and Jaccard index (|found ∩ truth| / |found ∪ truth|), over all layers and per layer.
// Undefined ratios (a layer that keeps nothing has no precision) are null.
import { ConfigError } from '../../util/errors.js';
import type { Masks } from '../../pruning/masks.js';

export interface Agreement {
  found: number;
  truth: number;
  both: number;
  precision: number | null;
  recall: number | null;
  jaccard: number | null;
}

export interface MaskAgreement {
  total: Agreement;
  layers: Record<string, Agreement>;
}

function agreement(found: number, truth: number, both: number): Agreement {
  const union = found + truth - both;
  return {
    found,
    truth,
    both,
    precision: found > 0 ? both / found : null,
    recall: truth > 0 ? both / truth : null,
    jaccard: union > 0 ? both / union : null,
  };
}

export function maskAgreement(found: Masks, truth: Masks): MaskAgreement {
  const layers: Record<string, Agreement> = {};
  let f = 0;
  let t = 0;
  let b = 0;
  for (const [name, tm] of truth) {
    const fm = found.get(name);
    if (!fm || fm.length !== tm.length) throw new ConfigError(`masks differ: '${name}' is missing or has another size`);
    let lf = 0;
    let lt = 0;
    let lb = 0;
    for (let i = 0; i < tm.length; i++) {
      const x = fm[i] !== 0;
      const y = tm[i] !== 0;
      if (x) lf++;
      if (y) lt++;
      if (x && y) lb++;
    }
    layers[name] = agreement(lf, lt, lb);
    f += lf;
    t += lt;
    b += lb;
  }
  for (const name of found.keys())
    if (!truth.has(name)) throw new ConfigError(`masks differ: '${name}' has no ground truth`);
  return { total: agreement(f, t, b), layers };
}
