// The layers a 29×29 code fits in: linear or conv weights whose connectivity map is at least 29×29.
import type { Shape } from '../engine/tensor.js';
import { ConfigError } from '../util/errors.js';
import { mapGeometry, requireGeometry, type MapGeometry } from './connectivity.js';
import { QR_SIZE } from './qr.js';

export interface Window {
  row: number;
  col: number;
}

/** The eligible layers of `shapes` (or just `layer`, which must exist and be large enough), in map order. */
export function eligibleLayers(
  names: Iterable<string>,
  shapes: ReadonlyMap<string, Shape>,
  layer?: string,
): [string, MapGeometry][] {
  if (layer !== undefined) {
    const shape = shapes.get(layer);
    if (!shape || ![...names].includes(layer)) throw new ConfigError(`no prunable weight named '${layer}'`);
    const geo = requireGeometry(layer, shape);
    if (geo.rows < QR_SIZE || geo.cols < QR_SIZE)
      throw new ConfigError(
        `layer '${layer}' has a ${geo.rows}×${geo.cols} connectivity map; a signature needs at least ${QR_SIZE}×${QR_SIZE}`,
      );
    return [[layer, geo]];
  }
  const out: [string, MapGeometry][] = [];
  for (const name of names) {
    const shape = shapes.get(name);
    const geo = shape ? mapGeometry(shape) : null;
    if (geo && geo.rows >= QR_SIZE && geo.cols >= QR_SIZE) out.push([name, geo]);
  }
  return out;
}

/** Whether weight `index` of a layer falls in the 29×29 window of its map. */
export function inWindow(index: number, geo: MapGeometry, w: Window): boolean {
  const cell = Math.floor(index / geo.kernel);
  const r = Math.floor(cell / geo.cols) - w.row;
  const c = (cell % geo.cols) - w.col;
  return r >= 0 && r < QR_SIZE && c >= 0 && c < QR_SIZE;
}
