// The random-pruning control: masks with the same densities as a ticket but random positions, either shuffled
// within each layer (same per-layer densities) or across all layers (same total density).
import { Rng } from '../engine/rng.js';
import { cloneMasks, type Masks } from './masks.js';

export function randomizeLayerwise(masks: Masks, seed: number): Masks {
  const out = cloneMasks(masks);
  for (const [name, m] of out) Rng.stream(seed, `random-prune/${name}`).shuffle(m);
  return out;
}

export function randomizeGlobal(masks: Masks, seed: number, ignore: readonly string[] = []): Masks {
  const out = cloneMasks(masks);
  const names = [...out.keys()].filter((n) => !ignore.includes(n));
  const total = names.reduce((s, n) => s + out.get(n)!.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const n of names) {
    all.set(out.get(n)!, o);
    o += out.get(n)!.length;
  }
  Rng.stream(seed, 'random-prune/global').shuffle(all);
  o = 0;
  for (const n of names) {
    const m = out.get(n)!;
    m.set(all.subarray(o, o + m.length));
    o += m.length;
  }
  return out;
}
