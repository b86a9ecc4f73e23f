// An exact prefilter before the image decoder: the checks any QR decoder must pass before it returns a version-3
// level-H message, done on the module grid in microseconds instead of milliseconds of image processing.
import { EC_PER_BLOCK, readBlocks } from './codewords.js';
import { FORMAT_TOLERANCE, H_FORMAT_WORDS, readFormatWords } from './format-info.js';
import { QR_SIZE } from './qr.js';
import { correctable } from './reed-solomon.js';

function transpose(m: Uint8Array): Uint8Array {
  const t = new Uint8Array(m.length);
  for (let r = 0; r < QR_SIZE; r++) for (let c = 0; c < QR_SIZE; c++) t[c * QR_SIZE + r] = m[r * QR_SIZE + c]!;
  return t;
}

function bitsDiffering(a: number, b: number): number {
  let n = 0;
  for (let x = a ^ b; x; x &= x - 1) n++;
  return n;
}

/**
 * Whether `modules` (29×29, dark = 1) could be decoded at level H: for the symbol or its transpose (decoders also
 * try the mirror image), some mask pattern whose format word is within 3 bits of a copy must leave every block
 * within Reed-Solomon correction range. A decoder commits to one such word; we try them all, so we accept more.
 */
export function mayDecode(modules: Uint8Array): boolean {
  for (const grid of [modules, transpose(modules)]) {
    const [a, b] = readFormatWords(grid, QR_SIZE, 0, 0, false);
    for (let mask = 0; mask < H_FORMAT_WORDS.length; mask++) {
      const w = H_FORMAT_WORDS[mask]!;
      if (bitsDiffering(w, a) > FORMAT_TOLERANCE && bitsDiffering(w, b) > FORMAT_TOLERANCE) continue;
      if (readBlocks(grid, mask).every((block) => correctable(block, EC_PER_BLOCK))) return true;
    }
  }
  return false;
}
