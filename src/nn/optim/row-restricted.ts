// Training only some rows of a matrix (KS-Lottery's partial tuning of embedding rows): an element-restricted
// optimizer whose trainable entries are whole rows. With plain Adam or SGD without weight decay a row that never
// gets a gradient keeps zero moments and so does not move at all (restricted.ts refuses decay).
import type { Parameter } from '../parameter.js';
import type { Optimizer } from './optimizer.js';
import { ElementRestricted } from './restricted.js';

export function rowRestricted(
  inner: Optimizer & { weightDecay?: number },
  param: Parameter,
  rows: readonly number[],
): ElementRestricted {
  if (param.shape.length !== 2) throw new RangeError(`row-restricted training needs a matrix, got ${param.shape}`);
  const [n, width] = param.shape as [number, number];
  const keep = new Uint8Array(n * width);
  for (const r of rows) {
    if (!(Number.isInteger(r) && r >= 0 && r < n)) throw new RangeError(`row ${r} is outside [0, ${n})`);
    keep.fill(1, r * width, (r + 1) * width);
  }
  return new ElementRestricted(inner, new Map([[param, keep]]));
}
