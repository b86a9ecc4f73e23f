// A layer's mask as a PNG, one pixel per weight: a linear layer's [out, in] as rows × columns, a conv's
// [out, in, kh, kw] as out rows of in·kh·kw (each input channel's kernel side by side). Kept weights are dark,
// pruned ones white. Against another level's mask of the same layer: kept in both dark gray, kept only here
// (new since the other level) green, kept only there (pruned since) red.
import { PNG } from 'pngjs';
import type { MaskTensor } from './store.js';
import { UserError } from '../util/errors.js';

const KEPT = [40, 40, 40];
const PRUNED = [255, 255, 255];
const ONLY_HERE = [30, 150, 60];
const ONLY_THERE = [215, 50, 40];

export function maskImage(mask: MaskTensor, other: MaskTensor | null): Buffer {
  const rows = mask.shape.length >= 2 ? mask.shape[0]! : 1;
  const cols = mask.data.length / rows;
  if (other && other.data.length !== mask.data.length)
    throw new UserError(`the two levels' masks of ${mask.layer} differ in shape`);
  const png = new PNG({ width: cols, height: rows });
  for (let i = 0; i < mask.data.length; i++) {
    const here = mask.data[i] !== 0;
    const there = other ? other.data[i] !== 0 : here;
    const c = here && there ? KEPT : here ? ONLY_HERE : there ? ONLY_THERE : PRUNED;
    png.data[4 * i] = c[0]!;
    png.data[4 * i + 1] = c[1]!;
    png.data[4 * i + 2] = c[2]!;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
}
