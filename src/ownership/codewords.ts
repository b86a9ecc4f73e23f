// Reads the 70 codewords of a version-3 symbol (two interleaved level-H blocks of 13 data + 22 EC codewords) in
// the standard zigzag order, undoing a mask pattern.
import { FORMAT_CELLS } from './format-info.js';
import { functionPatternMask, QR_SIZE } from './qr.js';

const CODEWORDS = 70;
const BLOCKS = 2;
const BLOCK_LENGTH = CODEWORDS / BLOCKS;
export const EC_PER_BLOCK = 22;

/** Row-major cells of the 560 codeword bits, in placement order (right to left in column pairs, snaking). */
function zigzag(): Int32Array {
  const reserved = functionPatternMask();
  for (const i of FORMAT_CELLS) reserved[i] = 1;
  const order: number[] = [];
  let row = QR_SIZE - 1;
  let step = -1;
  for (let col = QR_SIZE - 1; col > 0; col -= 2) {
    if (col === 6) col--; // the vertical timing column is skipped whole
    for (;;) {
      for (let c = 0; c < 2; c++) if (!reserved[row * QR_SIZE + col - c]) order.push(row * QR_SIZE + col - c);
      row += step;
      if (row < 0 || row >= QR_SIZE) {
        row -= step;
        step = -step;
        break;
      }
    }
  }
  return Int32Array.from(order.slice(0, CODEWORDS * 8)); // the last 7 cells are remainder bits
}

const ORDER = zigzag();

const MASKS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

/** The flip each codeword bit gets under each mask pattern, in zigzag order. */
const MASK_BITS: readonly Uint8Array[] = MASKS.map((m) =>
  Uint8Array.from(ORDER, (cell) => (m(Math.floor(cell / QR_SIZE), cell % QR_SIZE) ? 1 : 0)),
);

/** The codewords of each block (block b gets interleaved codewords b, b + 2, …), unmasked with `maskPattern`. */
export function readBlocks(modules: Uint8Array, maskPattern: number): Uint8Array[] {
  const blocks = Array.from({ length: BLOCKS }, () => new Uint8Array(BLOCK_LENGTH));
  const flips = MASK_BITS[maskPattern]!;
  for (let k = 0; k < CODEWORDS; k++) {
    let byte = 0;
    for (let b = 0; b < 8; b++) byte = (byte << 1) | (modules[ORDER[k * 8 + b]!]! ^ flips[k * 8 + b]!);
    blocks[k % BLOCKS]![k >> 1] = byte;
  }
  return blocks;
}
