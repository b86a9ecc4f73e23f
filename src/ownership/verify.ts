// Finds a V2 signature: every 29×29 window of every eligible layer's connectivity map, both polarities, is read
// by a real QR decoder after the standard function patterns are written back over it.
import type { Shape } from '../engine/tensor.js';
import type { Masks } from '../pruning/masks.js';
import { connectivityMap, type MapGeometry } from './connectivity.js';
import { plausibleFormat, readFormatWords } from './format-info.js';
import { mayDecode } from './readable.js';
import { eligibleLayers, type Window } from './layers.js';
import { decodeQr, encodeQr, functionPatternMask, QR_SIZE, withFunctionPatterns } from './qr.js';

export interface VerifyOptions {
  /** Shapes of the masked weights (from the model the ticket belongs to). */
  shapes: ReadonlyMap<string, Shape>;
  /** Look in this layer only. */
  layer?: string;
  /** Go on after the first signature and list every one (an ambiguity attack leaves two). */
  all?: boolean;
}

export interface FoundSignature {
  message: string;
  layer: string;
  window: Window;
  keptIsDark: boolean;
  mismatch_rate: number;
}

export interface Verification {
  found: boolean;
  message: string | null;
  layer: string | null;
  window: Window | null;
  /** Whether the code was read with kept connections as dark modules. */
  keptIsDark: boolean | null;
  /** Fraction of the window's data cells that differ from the re-encoded message; null when nothing is found. */
  mismatch_rate: number | null;
  /** Windows that passed both prefilters and went to the image decoder. */
  decoded: number;
  /** Every signature found (only the first unless `all`), one per layer and message. */
  signatures: FoundSignature[];
}

function crop(map: Uint8Array, geo: MapGeometry, w: Window, invert: boolean): Uint8Array {
  const out = new Uint8Array(QR_SIZE * QR_SIZE);
  for (let r = 0; r < QR_SIZE; r++)
    for (let c = 0; c < QR_SIZE; c++)
      out[r * QR_SIZE + c] = map[(w.row + r) * geo.cols + w.col + c]! ^ (invert ? 1 : 0);
  return out;
}

/** Data-cell disagreement with the message re-encoded; the lowest over the 8 mask patterns the signer may have used. */
function mismatchRate(window: Uint8Array, message: string): number {
  const fn = functionPatternMask();
  let data = 0;
  for (const f of fn) data += 1 - f;
  let best = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const code = encodeQr(message, mask);
    let miss = 0;
    for (let i = 0; i < code.length; i++) if (!fn[i] && code[i] !== window[i]) miss++;
    best = Math.min(best, miss);
  }
  return best / data;
}

export function verifyMasks(masks: Masks, opts: VerifyOptions): Verification {
  let decoded = 0;
  const signatures: FoundSignature[] = [];
  for (const [layer, geo] of eligibleLayers(masks.keys(), opts.shapes, opts.layer)) {
    const map = connectivityMap(masks.get(layer)!, geo);
    for (let row = 0; row + QR_SIZE <= geo.rows; row++)
      for (let col = 0; col + QR_SIZE <= geo.cols; col++)
        for (const invert of [false, true]) {
          // Exact prefilter: a decoder must read a format word within 3 bits of a valid one from one of the two
          // copies before it reads any data, so a window failing this check is one no decoder could read as H.
          if (!plausibleFormat(readFormatWords(map, geo.cols, row, col, invert))) continue;
          const window = { row, col };
          const cells = crop(map, geo, window, invert);
          const symbol = withFunctionPatterns(cells);
          // Second exact prefilter: the Reed-Solomon blocks must be correctable under some such format word.
          if (!mayDecode(symbol)) continue;
          decoded++;
          const message = decodeQr(symbol);
          if (message === null) continue;
          if (signatures.some((f) => f.layer === layer && f.message === message)) continue;
          signatures.push({ message, layer, window, keptIsDark: !invert, mismatch_rate: mismatchRate(cells, message) });
          if (!opts.all) return { found: true, ...signatures[0]!, decoded, signatures };
        }
  }
  if (signatures.length > 0) return { found: true, ...signatures[0]!, decoded, signatures };
  return {
    found: false,
    message: null,
    layer: null,
    window: null,
    keptIsDark: null,
    mismatch_rate: null,
    decoded,
    signatures,
  };
}
