// Format information of a level-H symbol: the 15 bits (2 EC-level bits, 3 mask bits, 10 BCH bits, XOR 0x5412)
// written twice around the finders. Used as an exact prefilter before running the decoder.
import { QR_SIZE } from './qr.js';

const EC_LEVEL_H = 0b10;
const BCH_GENERATOR = 0x537;
const FORMAT_XOR = 0x5412;
/** A decoder accepts a copy within this many bits of a valid word (the 32 words are 7 apart). */
export const FORMAT_TOLERANCE = 3;

function bchFormat(data: number): number {
  let rem = data << 10;
  for (let bit = 14; bit >= 10; bit--) if (rem & (1 << bit)) rem ^= BCH_GENERATOR << (bit - 10);
  return ((data << 10) | rem) ^ FORMAT_XOR;
}

/** The 8 valid format words at level H, index = mask pattern. */
export const H_FORMAT_WORDS: readonly number[] = Array.from({ length: 8 }, (_, mask) =>
  bchFormat((EC_LEVEL_H << 3) | mask),
);

/** Cell indices (row-major, 29×29) of format bit i (0 = least significant) in each of the two copies. */
function formatCells(size: number): [number[], number[]] {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < 15; i++) {
    // same placement as the encoder: copy one wraps the top-left finder, copy two is split bottom-left/top-right
    first.push(i < 6 ? i * size + 8 : i < 8 ? (i + 1) * size + 8 : i === 8 ? 8 * size + 7 : 8 * size + 14 - i);
    second.push(i < 8 ? 8 * size + size - 1 - i : (size - 15 + i) * size + 8);
  }
  return [first, second];
}

const [FIRST, SECOND] = formatCells(QR_SIZE);

/** Row-major cells of both copies of the format information. */
export const FORMAT_CELLS: readonly number[] = [...FIRST, ...SECOND];

function popcount15(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** The two format words read from a crop, at (row, col) of a width-`stride` map, `invert` flipping each bit. */
export function readFormatWords(
  map: Uint8Array,
  stride: number,
  row: number,
  col: number,
  invert: boolean,
): [number, number] {
  let a = 0;
  let b = 0;
  const base = row * stride + col;
  for (let i = 0; i < 15; i++) {
    const fa = FIRST[i]!;
    const fb = SECOND[i]!;
    a |= (map[base + Math.floor(fa / QR_SIZE) * stride + (fa % QR_SIZE)]! ^ (invert ? 1 : 0)) << i;
    b |= (map[base + Math.floor(fb / QR_SIZE) * stride + (fb % QR_SIZE)]! ^ (invert ? 1 : 0)) << i;
  }
  return [a, b];
}

/** Distance from `word` to the nearest valid level-H format word. */
export function formatDistance(word: number): number {
  let best = 15;
  for (const w of H_FORMAT_WORDS) best = Math.min(best, popcount15(w ^ word));
  return best;
}

/** Whether either copy could be read by a decoder as a level-H format word. */
export function plausibleFormat(words: [number, number]): boolean {
  return formatDistance(words[0]) <= FORMAT_TOLERANCE || formatDistance(words[1]) <= FORMAT_TOLERANCE;
}
