// An owner's claim, checked without decoding: "this ticket carries my message". Every window of every eligible layer
// is compared with the message's code (all 8 mask patterns, both polarities) and the best match is judged against
// chance: were the window's cells independent draws at the layer's density, how likely is a match this good
// anywhere? (Bonferroni over every window, pattern and polarity.) This is the evidence the paper reports (the
// mismatch rate), made a test; it holds after attacks that break decoding, and an unsigned ticket is its control.
import type { Shape } from '../engine/tensor.js';
import type { Masks } from '../pruning/masks.js';
import { logBinomialUpperTail } from '../stats/binomial-tail.js';
import { connectivityMap } from './connectivity.js';
import { eligibleLayers, type Window } from './layers.js';
import { encodeQr, functionPatternMask, QR_SIZE } from './qr.js';

export interface Claim {
  message: string;
  layer: string;
  window: Window;
  keptIsDark: boolean;
  /** Data cells of the best window that differ from the code, and their share. */
  mismatches: number;
  cells: number;
  mismatch_rate: number;
  /** Windows × patterns × polarities compared. */
  candidates: number;
  /** log10 of the Bonferroni-corrected chance of a match this good under the null (capped at 0). */
  log10_p_value: number;
}

export function claimMessage(
  masks: Masks,
  opts: { shapes: ReadonlyMap<string, Shape>; message: string; layer?: string },
): Claim {
  const fn = functionPatternMask();
  const cells: number[] = [];
  for (let i = 0; i < fn.length; i++) if (!fn[i]) cells.push(i);
  const codes = Array.from({ length: 8 }, (_, m) => encodeQr(opts.message, m));
  let best: Omit<Claim, 'candidates' | 'log10_p_value' | 'message'> & { density: number; dark: number } = {
    layer: '',
    window: { row: 0, col: 0 },
    keptIsDark: true,
    mismatches: Infinity,
    cells: cells.length,
    mismatch_rate: 1,
    density: 0,
    dark: 0,
  };
  let candidates = 0;
  for (const [layer, geo] of eligibleLayers(masks.keys(), opts.shapes, opts.layer)) {
    const map = connectivityMap(masks.get(layer)!, geo);
    let on = 0;
    for (const v of map) on += v;
    const offsets = Int32Array.from(cells, (i) => Math.floor(i / QR_SIZE) * geo.cols + (i % QR_SIZE));
    for (const code of codes)
      for (const keptIsDark of [true, false]) {
        const want = Uint8Array.from(cells, (i) => (keptIsDark ? code[i]! : 1 - code[i]!));
        let dark = 0;
        for (const i of cells) dark += code[i]!;
        for (let row = 0; row + QR_SIZE <= geo.rows; row++)
          for (let col = 0; col + QR_SIZE <= geo.cols; col++) {
            candidates++;
            const base = row * geo.cols + col;
            let miss = 0;
            for (let j = 0; j < offsets.length && miss < best.mismatches; j++)
              miss += map[base + offsets[j]!]! ^ want[j]!;
            if (miss < best.mismatches)
              best = {
                layer,
                window: { row, col },
                keptIsDark,
                mismatches: miss,
                cells: cells.length,
                mismatch_rate: miss / cells.length,
                density: on / map.length,
                dark: dark / cells.length,
              };
          }
      }
  }
  // Under the null a cell matches with p = ρq + (1−ρ)(1−q): ρ the layer's share of on cells, q the share of the
  // code's data cells that the best window's polarity wants on.
  const q = best.keptIsDark ? best.dark : 1 - best.dark;
  const p = best.density * q + (1 - best.density) * (1 - q);
  const logTail = logBinomialUpperTail(best.cells - best.mismatches, best.cells, p);
  const log10 = Math.min(0, (logTail + Math.log(candidates)) / Math.LN10);
  const { density: _d, dark: _q, ...claim } = best;
  return { message: opts.message, ...claim, candidates, log10_p_value: log10 };
}
