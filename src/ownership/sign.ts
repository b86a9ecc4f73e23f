// The V2 white-box signature: a QR code written into the connectivity map of one layer of a ticket's mask, in
// the 29×29 window that already agrees with it most, keeping the layer's number of kept weights.
import type { Shape } from '../engine/tensor.js';
import { Rng } from '../engine/rng.js';
import { cloneMasks, type Masks } from '../pruning/masks.js';
import { ConfigError } from '../util/errors.js';
import { connectivityMap, setCell, type MapGeometry } from './connectivity.js';
import { eligibleLayers, inWindow, type Window } from './layers.js';
import { encodeQr, functionPatternMask, QR_SIZE } from './qr.js';

export interface SignOptions {
  masks: Masks;
  /** Every prunable weight's values and shape (a model's parameters fit); |θ| decides which weights to edit. */
  weights: ReadonlyMap<string, { data: Float32Array; shape: Shape }>;
  message: string;
  /** Sign this layer only; by default the best window over every layer whose map is at least 29×29. */
  layer?: string;
  /** Breaks ties between equally good windows. */
  seed?: number;
}

export interface Signature {
  masks: Masks;
  layer: string;
  window: Window;
  /** Map cells of the window rewritten (flipsOn + flipsOff). */
  changed: number;
  flipsOn: number;
  flipsOff: number;
  /** Weights outside the window pruned (or restored) so the layer keeps its number of kept weights. */
  compensated: number;
}

/** Offsets (row-major, 29×29) and wanted values of the code's data cells: everything but the function patterns. */
function dataCells(code: Uint8Array): { cells: number[]; bits: number[] } {
  const fn = functionPatternMask();
  const cells: number[] = [];
  const bits: number[] = [];
  for (let i = 0; i < code.length; i++)
    if (!fn[i]) {
      cells.push(i);
      bits.push(code[i]!);
    }
  return { cells, bits };
}

interface Best {
  layer: string;
  geo: MapGeometry;
  window: Window;
  mismatches: number;
  ties: number;
}

/** Scans every window of one map, updating `best` (ties resolved uniformly at random by reservoir sampling). */
function scanLayer(
  name: string,
  geo: MapGeometry,
  map: Uint8Array,
  cells: number[],
  bits: number[],
  best: Best,
  rng: Rng,
) {
  const offsets = Int32Array.from(cells, (i) => Math.floor(i / QR_SIZE) * geo.cols + (i % QR_SIZE));
  const want = Uint8Array.from(bits);
  for (let row = 0; row + QR_SIZE <= geo.rows; row++)
    for (let col = 0; col + QR_SIZE <= geo.cols; col++) {
      const base = row * geo.cols + col;
      let miss = 0;
      for (let j = 0; j < offsets.length && miss <= best.mismatches; j++) miss += map[base + offsets[j]!]! ^ want[j]!;
      if (miss > best.mismatches) continue;
      if (miss < best.mismatches)
        Object.assign(best, { layer: name, geo, window: { row, col }, mismatches: miss, ties: 1 });
      else if (rng.uniform() * ++best.ties < 1) Object.assign(best, { layer: name, geo, window: { row, col } });
    }
}

/** Prunes (delta > 0) the smallest-|θ| kept weights, or restores (delta < 0) the largest-|θ| pruned ones, outside the window. */
function holdCount(mask: Float32Array, weights: Float32Array, geo: MapGeometry, window: Window, delta: number): number {
  const want = delta > 0 ? 1 : 0;
  const candidates: number[] = [];
  for (let i = 0; i < mask.length; i++)
    if ((mask[i] !== 0 ? 1 : 0) === want && !inWindow(i, geo, window)) candidates.push(i);
  const sign = delta > 0 ? 1 : -1;
  candidates.sort((a, b) => sign * (Math.abs(weights[a]!) - Math.abs(weights[b]!)) || a - b);
  const n = Math.abs(delta);
  if (candidates.length < n)
    throw new ConfigError(`cannot hold the density: only ${candidates.length} weights to trade outside the window`);
  for (let j = 0; j < n; j++) mask[candidates[j]!] = delta > 0 ? 0 : 1;
  return n;
}

export function signMask(opts: SignOptions): Signature {
  const { masks, weights, message } = opts;
  const code = encodeQr(message);
  const shapes = new Map([...weights].map(([n, w]) => [n, w.shape]));
  // By default only the layers with the largest kernels are candidates: a 3×3 conv cell is off only when all 9 of
  // its weights are, so the code survives further pruning there, where a 1×1 shortcut's cell is a single weight.
  const eligible = eligibleLayers(masks.keys(), shapes, opts.layer);
  const widest = Math.max(0, ...eligible.map(([, g]) => g.kernel));
  const layers = eligible.filter(([, g]) => g.kernel === widest);
  if (layers.length === 0) throw new ConfigError(`no layer has a connectivity map of at least ${QR_SIZE}×${QR_SIZE}`);
  // Polarity: a dark module is a kept connection, so the code is drawn by the connections the way a mask looks
  // when plotted (the reference code wrote connections as light modules; the verifier reads both polarities).
  const { cells, bits } = dataCells(code);
  const rng = Rng.stream(opts.seed ?? 0, 'ownership-sign');
  const best: Best = { layer: '', geo: layers[0]![1], window: { row: 0, col: 0 }, mismatches: Infinity, ties: 0 };
  for (const [name, geo] of layers)
    scanLayer(name, geo, connectivityMap(masks.get(name)!, geo), cells, bits, best, rng);

  const out = cloneMasks(masks);
  const mask = out.get(best.layer)!;
  const w = weights.get(best.layer)!.data;
  const map = connectivityMap(mask, best.geo);
  let flipsOn = 0;
  let flipsOff = 0;
  let delta = 0;
  for (let j = 0; j < cells.length; j++) {
    const i = cells[j]!;
    const cell = (best.window.row + Math.floor(i / QR_SIZE)) * best.geo.cols + best.window.col + (i % QR_SIZE);
    if (map[cell] === bits[j]) continue;
    delta += setCell(mask, w, best.geo, cell, bits[j] === 1);
    if (bits[j]) flipsOn++;
    else flipsOff++;
  }
  const compensated = delta === 0 ? 0 : holdCount(mask, w, best.geo, best.window, delta);
  return {
    masks: out,
    layer: best.layer,
    window: best.window,
    changed: flipsOn + flipsOff,
    flipsOn,
    flipsOff,
    compensated,
  };
}
