// Layer collapse (Tanaka et al. 2020): pruning that leaves no path of surviving weights from input to output.
// For chains of Linear / Conv2d layers (LeNet, MLPs, Conv-N, VGG; found by tracing a forward pass) this is exact:
// the units reachable from the input are propagated forward through the masks and the units that reach the output
// backward; conv layers are analysed at channel granularity (channels c → o are connected if any weight of the
// kernel w[o, c] survives), and a flattened conv output maps channel c to its block of H·W features.
// Residual and other non-chain models are not analysed: there a collapse is reported only for a fully pruned layer.
import type { Module } from '../nn/module.js';
import type { Masks } from './masks.js';
import { defaultInputShape, traceLayers, type ChainLayer } from './layer-graph.js';

export interface CollapseReport {
  collapsed: boolean;
  /**
   * The layers to blame, in forward order: fully pruned layers and, for chains, the layer where the flow from the
   * input dies and the layer where the flow back from the output dies (they bound the gap).
   */
  layers: string[];
  /** 'paths': chain analysed exactly; 'empty-layers': only fully pruned layers detected. */
  method: 'paths' | 'empty-layers';
}

/** Units in and out of a layer: features for Linear, channels for Conv2d. */
function units(l: ChainLayer): { inputs: number; outputs: number } {
  return { inputs: l.weight.shape[1]!, outputs: l.weight.shape[0]! };
}

/** connected[o][i]: some surviving weight joins input unit i to output unit o. */
function connectivity(l: ChainLayer, mask: Float32Array): Uint8Array[] {
  const { inputs, outputs } = units(l);
  const k = mask.length / (inputs * outputs); // kernel size for conv, 1 for linear
  const c: Uint8Array[] = [];
  for (let o = 0; o < outputs; o++) {
    const row = new Uint8Array(inputs);
    for (let i = 0; i < inputs; i++) {
      const off = (o * inputs + i) * k;
      for (let j = 0; j < k; j++)
        if (mask[off + j] !== 0) {
          row[i] = 1;
          break;
        }
    }
    c.push(row);
  }
  return c;
}

/** Input units of `next` fed by each output unit of `prev`: 1 (same width) or H·W (conv flattened into linear). */
function fanout(prev: ChainLayer, next: ChainLayer): number | null {
  const out = units(prev).outputs;
  const into = units(next).inputs;
  if (out === into) return 1;
  if (prev.kind === 'conv' && next.kind === 'linear' && into % out === 0) return into / out;
  return null;
}

const any = (a: Uint8Array) => a.some((v) => v !== 0);

function emptyLayers(masks: Masks): string[] {
  return [...masks].filter(([, m]) => !m.some((v) => v !== 0)).map(([n]) => n);
}

export function layerCollapse(model: Module, masks: Masks, inputShape?: readonly number[]): CollapseReport {
  const empty = emptyLayers(masks);
  const fallback: CollapseReport = { collapsed: empty.length > 0, layers: empty, method: 'empty-layers' };
  const shape = inputShape ?? defaultInputShape(model);
  if (!shape) return fallback;
  const graph = traceLayers(model, shape);
  if (!graph.sequential) return fallback;
  const layers = graph.layers;
  const fan: number[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const f = fanout(layers[l]!, layers[l + 1]!);
    if (f === null) return fallback;
    fan.push(f);
  }
  const conn = layers.map((l) => {
    const m = masks.get(l.name);
    if (!m) throw new Error(`no mask for prunable weight '${l.name}'`);
    return connectivity(l, m);
  });
  const blame = new Set(empty);
  // Forward: units reachable from the input.
  let reach: Uint8Array = new Uint8Array(units(layers[0]!).inputs).fill(1);
  for (let l = 0; l < layers.length; l++) {
    const next = new Uint8Array(units(layers[l]!).outputs);
    conn[l]!.forEach((row, o) => {
      for (let i = 0; i < row.length; i++)
        if (row[i] && reach[i]) {
          next[o] = 1;
          break;
        }
    });
    if (any(reach) && !any(next)) blame.add(layers[l]!.name);
    reach = l + 1 < layers.length ? expand(next, fan[l]!) : next;
  }
  const collapsed = !any(reach);
  // Backward: units from which the output is reachable.
  let useful: Uint8Array = new Uint8Array(units(layers[layers.length - 1]!).outputs).fill(1);
  for (let l = layers.length - 1; l >= 0; l--) {
    const prev = new Uint8Array(units(layers[l]!).inputs);
    conn[l]!.forEach((row, o) => {
      if (useful[o]) for (let i = 0; i < row.length; i++) if (row[i]) prev[i] = 1;
    });
    if (any(useful) && !any(prev)) blame.add(layers[l]!.name);
    useful = l > 0 ? shrink(prev, fan[l - 1]!) : prev;
  }
  const order = layers.map((l) => l.name);
  return { collapsed: collapsed || empty.length > 0, layers: order.filter((n) => blame.has(n)), method: 'paths' };
}

/** Output units of one layer → input units of the next (each repeated `f` times). */
function expand(a: Uint8Array, f: number): Uint8Array {
  if (f === 1) return a;
  const out = new Uint8Array(a.length * f);
  a.forEach((v, i) => v && out.fill(1, i * f, (i + 1) * f));
  return out;
}

/** Input units of the next layer → output units of this one (a unit is useful if any of its copies is). */
function shrink(a: Uint8Array, f: number): Uint8Array {
  if (f === 1) return a;
  const out = new Uint8Array(a.length / f);
  for (let i = 0; i < out.length; i++) out[i] = a.subarray(i * f, (i + 1) * f).some((v) => v !== 0) ? 1 : 0;
  return out;
}
