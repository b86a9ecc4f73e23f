// Masks of the planted study when biases are pruned too. The ground truth stays a mask of the planted edges (the
// paper's ground-truth density counts weights only); recovery and collapse are measured on the weights, and the
// planted ticket keeps the biases of its planted neurons (those with a planted incoming edge).
import type { Masks } from '../../pruning/masks.js';

const isBias = (name: string) => name.endsWith('.bias');

/** The weight masks alone. */
export function weightMasks(masks: Masks): Masks {
  return new Map([...masks].filter(([n]) => !isBias(n)));
}

/** The ground truth with, when biases are pruned, a bias mask per layer: 1 on the planted neurons. */
export function plantedTicketMasks(truth: Masks, widths: readonly number[], pruneBias: boolean): Masks {
  if (!pruneBias) return truth;
  const out: Masks = new Map();
  [...truth].forEach(([name, m], l) => {
    const inW = widths[l]!;
    const b = new Float32Array(widths[l + 1]!);
    for (let i = 0; i < m.length; i++) if (m[i]) b[Math.floor(i / inW)] = 1;
    out.set(name, m);
    out.set(name.replace(/\.weight$/, '.bias'), b);
  });
  return out;
}
