// Planting a target network inside a random "mother" network (Plant 'n' Seek, Fischer & Burkholz 2022).
//
// Mother net: W^l ~ N(0, 2/n_{l−1}), b^l ~ N(0, σ_l²) with σ_l = Π_{k≤l} √(2/n_{k−1}).
// Walking the layers, each target neuron i, with θ = (b_i, w_ij / c_j for its incoming edges j), is matched to the
// unmatched mother neuron whose m = (bias, weights from the neurons its edges come from) is closest to a positive
// multiple of θ: c = θ·m / ‖θ‖² > 0, signs agreeing where θ ≠ 0, minimizing Σ|m − cθ|. The mother neuron is
// overwritten with cθ, so it computes c times the target neuron (ReLU is positively homogeneous), and the next layer
// divides by c. The planted output neurons compute scale ⊙ target(x): the planted ticket is net(x) / scale.
// Only the planted edges belong to the ground-truth mask; every other weight keeps its random value, so the full
// network does not compute the target; the network restricted to the mask does (planted biases are part of it,
// other neurons' biases only feed masked-out edges).
//
// When no unmatched neuron agrees in sign (the rule in the output layer, whose neurons have only each other as
// candidates), the reference code's fallback is used: mother neuron i for target neuron i (the first unmatched one if
// i is taken), with c = |m₀ / θ₁|, m₀ its weight from the first matched neuron of the layer below and θ₁ the target
// neuron's first edge weight. The planted weights then keep random-scale magnitudes (a best positive projection would
// make them several times smaller than the random weights around them). Such fallbacks are counted. Output neurons are
// matched too and then put back in the target's order (mother rows are exchangeable).
import { Rng } from '../../engine/rng.js';
import { ConfigError } from '../../util/errors.js';
import type { Masks } from '../../pruning/masks.js';
import { biasName, weightName } from './mlp.js';
import type { TargetNet } from './targets.js';

export interface Planted {
  widths: number[];
  /** Every weight and bias, by parameter name (fc{l}.weight [out, in], fc{l}.bias). */
  params: Map<string, Float32Array>;
  /** The ground truth: 1 on the planted edges. */
  mask: Masks;
  /** Per output: the factor c of the planted output neuron. */
  scale: Float64Array;
  /**
   * matched[l][i]: the mother neuron of layer l + 1 that holds target neuron i. For the output layer, the mother row
   * that was moved to row i.
   */
  matched: number[][];
  /** Per weight matrix: target neurons placed without sign agreement. */
  fallbacks: number[];
}

/** The mother network's parameters (He-scaled weights, depth-scaled biases) from a seeded stream. */
export function motherNet(widths: readonly number[], seed: number): Map<string, Float32Array> {
  const rng = Rng.stream(seed, 'planted-mother');
  const params = new Map<string, Float32Array>();
  let sigmaB = 1;
  for (let l = 0; l + 1 < widths.length; l++) {
    const std = Math.sqrt(2 / widths[l]!);
    sigmaB *= std;
    params.set(weightName(l), rng.fillNormal(new Float32Array(widths[l + 1]! * widths[l]!), 0, std));
    params.set(biasName(l), rng.fillNormal(new Float32Array(widths[l + 1]!), 0, sigmaB));
  }
  return params;
}

/** Checks that a mother net of these widths can hold the target: same depth and I/O, hidden layers wide enough. */
export function checkFits(target: TargetNet, widths: readonly number[]): void {
  const t = target.widths;
  if (t.length !== widths.length)
    throw new ConfigError(`the ${target.task} target has depth ${t.length}, the network ${widths.length}`);
  if (t[0] !== widths[0] || t[t.length - 1] !== widths[widths.length - 1])
    throw new ConfigError(
      `the ${target.task} target maps ${t[0]} → ${t[t.length - 1]}, the network ${widths[0]} → ${widths[widths.length - 1]}`,
    );
  const need = Math.max(...t.slice(1, -1));
  for (let l = 1; l < widths.length - 1; l++)
    if (widths[l]! < t[l]!)
      throw new ConfigError(`the ${target.task} target needs width >= ${need} at depth ${t.length}, got ${widths[l]}`);
}

export function plantTarget(
  target: TargetNet,
  mother: ReadonlyMap<string, Float32Array>,
  widths: readonly number[],
): Planted {
  checkFits(target, widths);
  const params = new Map([...mother].map(([n, v]) => [n, v.slice()]));
  const mask: Masks = new Map();
  const matched: number[][] = [];
  let prevIdx = Array.from({ length: widths[0]! }, (_, i) => i);
  let prevScale = new Float64Array(widths[0]!).fill(1);
  const fallbacks: number[] = [];
  const L = widths.length - 1;
  for (let l = 0; l < L; l++) {
    const inM = widths[l]!;
    const W = params.get(weightName(l))!;
    const B = params.get(biasName(l))!;
    const M = new Float32Array(W.length);
    const tIn = target.widths[l]!;
    const tOut = target.widths[l + 1]!;
    const used = new Uint8Array(widths[l + 1]!);
    const idx: number[] = [];
    fallbacks.push(0);
    const scale = new Float64Array(tOut);
    for (let i = 0; i < tOut; i++) {
      const edges: number[] = [];
      for (let j = 0; j < tIn; j++) if (target.weights[l]![i * tIn + j] !== 0) edges.push(j);
      const theta = [target.biases[l]![i]!, ...edges.map((j) => target.weights[l]![i * tIn + j]! / prevScale[j]!)];
      const cols = edges.map((j) => prevIdx[j]!);
      const vec = (k: number): number[] => [B[k]!, ...cols.map((c) => W[k * inM + c]!)];
      const pick = bestMatch(theta, vec, used) ?? fallback(i, theta, used, (k) => W[k * inM + prevIdx[0]!]!);
      if (!pick.signsAgree) fallbacks[l]!++;
      used[pick.k] = 1;
      idx.push(pick.k);
      scale[i] = pick.c;
      B[pick.k] = pick.c * theta[0]!;
      cols.forEach((col, e) => {
        W[pick.k * inM + col] = pick.c * theta[e + 1]!;
        M[pick.k * inM + col] = 1;
      });
    }
    mask.set(weightName(l), M);
    matched.push(idx);
    prevIdx = idx;
    prevScale = scale;
  }
  // Put the output neurons back in the target's order.
  const outW = params.get(weightName(L - 1))!;
  const outB = params.get(biasName(L - 1))!;
  const outM = mask.get(weightName(L - 1))!;
  const inLast = widths[L - 1]!;
  const order = matched[L - 1]!;
  for (const a of [outW, outM]) {
    const copy = a.slice();
    order.forEach((k, i) => a.set(copy.subarray(k * inLast, (k + 1) * inLast), i * inLast));
  }
  const bCopy = outB.slice();
  order.forEach((k, i) => (outB[i] = bCopy[k]!));
  return { widths: [...widths], params, mask, scale: prevScale, matched, fallbacks };
}

interface Match {
  k: number;
  c: number;
  signsAgree: boolean;
}

/** The unmatched mother neuron closest to a positive multiple of θ with agreeing signs, or null when none is. */
function bestMatch(theta: number[], vec: (k: number) => number[], used: Uint8Array): Match | null {
  const tt = theta.reduce((s, v) => s + v * v, 0);
  if (tt === 0) throw new Error('cannot plant a target neuron with no edges and zero bias');
  let best: (Match & { cost: number }) | null = null;
  for (let k = 0; k < used.length; k++) {
    if (used[k]) continue;
    const m = vec(k);
    const c = theta.reduce((s, v, e) => s + v * m[e]!, 0) / tt;
    if (!(c > 0) || !theta.every((v, e) => v === 0 || Math.sign(v) === Math.sign(m[e]!))) continue;
    const cost = theta.reduce((s, v, e) => s + Math.abs(m[e]! - c * v), 0);
    if (!best || cost < best.cost) best = { k, c, signsAgree: true, cost };
  }
  return best;
}

/** The reference's fallback (see the header): neuron i, or the first unmatched one, with c = |m₀ / θ₁|. */
function fallback(i: number, theta: number[], used: Uint8Array, m0: (k: number) => number): Match {
  const k = i < used.length && !used[i] ? i : used.indexOf(0);
  if (k < 0) throw new Error('no unmatched mother neuron left');
  const c = Math.abs(m0(k) / theta[1]!);
  if (!(c > 0 && Number.isFinite(c))) throw new Error(`planting fallback: scale ${c} for mother neuron ${k}`);
  return { k, c, signsAgree: false };
}
