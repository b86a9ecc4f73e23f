// QR codes for ticket signatures: version 3 (29×29) at error correction H, made by `qrcode` and read back by the
// real decoder `jsqr`. Modules are row-major Uint8Arrays with 1 = dark.
import QRCode from 'qrcode';
// jsqr is CommonJS: the default import is its module.exports, whose `.default` is the decoder its types describe
import jsqr from 'jsqr';
import { ConfigError } from '../util/errors.js';

const QR_VERSION = 3;
export const QR_SIZE = 4 * QR_VERSION + 17;
/** Capacity of version 3 at level H, as `qrcode` enforces it (it picks the densest mode the text allows). */
const CAPACITY = '24 bytes (35 uppercase alphanumeric characters, 58 digits)';
const QUIET_ZONE = 4;
const PIXELS_PER_MODULE = 4;
const ALIGNMENT_CENTRE = 22; // version 3's only alignment pattern sits at (22, 22)

/** The version-3-H code of `message` (29×29, 1 = dark); `maskPattern` 0–7 or the encoder's lowest-penalty pick. */
export function encodeQr(message: string, maskPattern?: number): Uint8Array {
  if (message.length === 0) throw new ConfigError('the signature message is empty');
  const opts: QRCode.QRCodeOptions = { version: QR_VERSION, errorCorrectionLevel: 'H' };
  if (maskPattern !== undefined) opts.maskPattern = maskPattern as QRCode.QRCodeMaskPattern;
  let code: QRCode.QRCode;
  try {
    code = QRCode.create(message, opts);
  } catch {
    const bytes = Buffer.byteLength(message, 'utf8');
    throw new ConfigError(
      `message of ${bytes} bytes does not fit a version-3 QR code at error correction H (at most ${CAPACITY})`,
    );
  }
  return Uint8Array.from(code.modules.data, (v) => (v ? 1 : 0));
}

/**
 * Reads `modules` with jsQR: rendered with a 4-module quiet zone, dark = black, in either polarity.
 * Returns the text, or null when the decoder finds no code.
 */
export function decodeQr(modules: Uint8Array, size = QR_SIZE): string | null {
  const side = (size + 2 * QUIET_ZONE) * PIXELS_PER_MODULE;
  // The quiet zone takes the colour opposite the finder's outer ring, so an inverted symbol is a whole inverted
  // image, which the decoder's second attempt reads.
  const rgba = new Uint8ClampedArray(side * side * 4).fill(modules[0] ? 255 : 0);
  for (let p = 3; p < rgba.length; p += 4) rgba[p] = 255;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const v = modules[r * size + c] ? 0 : 255;
      for (let dy = 0; dy < PIXELS_PER_MODULE; dy++) {
        const y = (r + QUIET_ZONE) * PIXELS_PER_MODULE + dy;
        for (let dx = 0; dx < PIXELS_PER_MODULE; dx++) {
          const p = (y * side + (c + QUIET_ZONE) * PIXELS_PER_MODULE + dx) * 4;
          rgba[p] = rgba[p + 1] = rgba[p + 2] = v;
        }
      }
    }
  const found = jsqr.default(rgba, side, side, { inversionAttempts: 'attemptBoth' });
  return found ? found.data : null;
}

function finder(size: number, top: number, left: number, out: Uint8Array, pattern: Uint8Array): void {
  // 7×7 finder plus its one-module light separator, clipped to the symbol
  for (let dr = -1; dr <= 7; dr++)
    for (let dc = -1; dc <= 7; dc++) {
      const r = top + dr;
      const c = left + dc;
      if (r < 0 || r >= size || c < 0 || c >= size) continue;
      const ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
      out[r * size + c] = 1;
      pattern[r * size + c] = ring === 3 || ring <= 1 ? 1 : 0;
    }
}

/** Function cells (1) and their standard values, for a version-3 symbol. */
function functionPatterns(size: number): { cells: Uint8Array; values: Uint8Array } {
  const cells = new Uint8Array(size * size);
  const values = new Uint8Array(size * size);
  finder(size, 0, 0, cells, values);
  finder(size, 0, size - 7, cells, values);
  finder(size, size - 7, 0, cells, values);
  for (let i = 8; i < size - 8; i++) {
    cells[6 * size + i] = cells[i * size + 6] = 1;
    values[6 * size + i] = values[i * size + 6] = i % 2 === 0 ? 1 : 0;
  }
  for (let dr = -2; dr <= 2; dr++)
    for (let dc = -2; dc <= 2; dc++) {
      const k = (ALIGNMENT_CENTRE + dr) * size + ALIGNMENT_CENTRE + dc;
      const ring = Math.max(Math.abs(dr), Math.abs(dc));
      cells[k] = 1;
      values[k] = ring === 1 ? 0 : 1;
    }
  const dark = (4 * QR_VERSION + 9) * size + 8; // always-dark module at (4·version + 9, 8)
  cells[dark] = values[dark] = 1;
  return { cells, values };
}

const STANDARD = functionPatterns(QR_SIZE);

/**
 * 1 on version 3's function-pattern cells: finders with separators, timing row and column 6, the alignment
 * pattern at (22, 22) and the dark module. Format-information cells are data here: they carry the mask pattern.
 */
export function functionPatternMask(size = QR_SIZE): Uint8Array {
  if (size !== QR_SIZE) throw new ConfigError(`only version-3 symbols (${QR_SIZE}×${QR_SIZE}) are supported`);
  return STANDARD.cells.slice();
}

/** A copy of a 29×29 crop with the standard function patterns written over it. */
export function withFunctionPatterns(crop: Uint8Array): Uint8Array {
  const out = crop.slice();
  const { cells, values } = STANDARD;
  for (let i = 0; i < out.length; i++) if (cells[i]) out[i] = values[i]!;
  return out;
}
