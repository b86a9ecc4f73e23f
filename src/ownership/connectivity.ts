// A layer's 2-D connectivity map, squeezed from its mask: a linear weight [out, in] is its own map; a conv weight
// [O, C, k, k] becomes [O, C], a cell being on when any of its k×k weights is kept (the paper's squeeze).
import type { Shape } from '../engine/tensor.js';
import { ConfigError } from '../util/errors.js';

export interface MapGeometry {
  rows: number;
  cols: number;
  /** Weights behind one cell: 1 for a linear layer, k·k for a conv. */
  kernel: number;
}

/** The map geometry of a weight shape, or null when the weight is neither linear nor conv. */
export function mapGeometry(shape: Shape): MapGeometry | null {
  if (shape.length === 2) return { rows: shape[0]!, cols: shape[1]!, kernel: 1 };
  if (shape.length === 4) return { rows: shape[0]!, cols: shape[1]!, kernel: shape[2]! * shape[3]! };
  return null;
}

export function requireGeometry(name: string, shape: Shape): MapGeometry {
  const g = mapGeometry(shape);
  if (!g) throw new ConfigError(`layer '${name}' has shape [${shape.join(', ')}]: only linear and conv weights map`);
  return g;
}

/** The [rows, cols] 0/1 map of a mask. */
export function connectivityMap(mask: Float32Array, geo: MapGeometry): Uint8Array {
  const map = new Uint8Array(geo.rows * geo.cols);
  const k = geo.kernel;
  for (let cell = 0; cell < map.length; cell++)
    for (let j = cell * k; j < (cell + 1) * k; j++)
      if (mask[j] !== 0) {
        map[cell] = 1;
        break;
      }
  return map;
}

/**
 * Sets cell `cell` of the map on or off by editing `mask` in place; returns the change in kept weights.
 * On: the largest-|θ| weight of the k×k kernel is kept (the one most likely to survive later pruning).
 * Off: the whole kernel is pruned. A cell already in the asked state is left alone.
 */
export function setCell(
  mask: Float32Array,
  weights: Float32Array,
  geo: MapGeometry,
  cell: number,
  on: boolean,
): number {
  const k = geo.kernel;
  const start = cell * k;
  let kept = 0;
  for (let j = start; j < start + k; j++) if (mask[j] !== 0) kept++;
  if (on) {
    if (kept > 0) return 0;
    let best = start;
    for (let j = start + 1; j < start + k; j++) if (Math.abs(weights[j]!) > Math.abs(weights[best]!)) best = j;
    mask[best] = 1;
    return 1;
  }
  for (let j = start; j < start + k; j++) mask[j] = 0;
  return -kept;
}
