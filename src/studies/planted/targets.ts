// Target networks: small sparse ReLU networks that solve the tasks, built for a given depth (number of layers
// counting the input, so depth d has d − 1 weight matrices) the way the paper's reference targets are:
//
// relu   a single path x → relu(x) → relu(·) … → y, every weight 1 and every bias 0 (depth ≥ 3, width ≥ 1):
//        computes max(0, x) exactly.
// circle the squared radius from two piecewise-linear fits of s² (CIRCLE_KNOTS ReLU units per coordinate), then
//        four logits α_c·r² + γ_c, α = 5·(1, 2, 4, 8) as in the reference, whose argmax changes exactly at
//        r² = 0.2, 0.5, 0.7.
//          depth 3: x_i → knots over [−1, 1] → logits
//          depth 4: x_i → relu(±x_i) → knots over |x_i| ∈ [0, 1] (two edges each: relu(x) + relu(−x) = |x|) → logits
//          depth ≥ 5: x_i → relu(±x_i) → |x_i| → (|x_i| copied, depth − 5 times) → knots over [0, 1] → logits
// helix  one piecewise-linear fit with HELIX_KNOTS shared ReLU units, three outputs (the three coordinates):
//          depth 3: x → knots over [−1, 1] → outputs
//          depth 4: x → relu(x + 1) ∈ [0, 2] → knots over [0, 2] → outputs
//          depth ≥ 5 (the reference's layout): x → relu(x + 1) → knots → three hidden neurons relu(f_j + 1)
//          (|f_j| < 1 on the helix) → 3×3 identity layers, depth − 4 of them, the last with bias −1 → outputs
// Piecewise-linear parts are least-squares fits (pwl.ts). Pass-through layers carry non-negative values, so a ReLU
// neuron with weight 1 copies them. The edge counts reproduce the paper's ground-truth densities (depth 3, width 100:
// relu .01, circle .17, helix .30; depth 5: 2e-4, 5.2e-3, 6.2e-3 — helix 124 edges).
import { ConfigError } from '../../util/errors.js';
import { CIRCLE_BOUNDARIES, helixPoint, type TaskName } from './tasks.js';
import { fitPiecewiseLinear, type PwlFit } from './pwl.js';

export const CIRCLE_KNOTS = 10;
export const HELIX_KNOTS = 30;
/** Slopes of the circle logits in r² (the reference's 5·2^c): steeper for outer rings, so each ring wins on its own interval. */
const CIRCLE_SLOPES = [5, 10, 20, 40];

export interface TargetNet {
  task: TaskName;
  /** Layer widths, input first, output last. */
  widths: number[];
  /** weights[l]: [widths[l + 1], widths[l]] row-major; zero where there is no edge. */
  weights: Float64Array[];
  biases: Float64Array[];
}

/** The smallest depth and the hidden width a task's target needs. */
export function targetRequirements(task: TaskName): { minDepth: number; width: number } {
  if (task === 'relu') return { minDepth: 3, width: 1 };
  if (task === 'circle') return { minDepth: 3, width: 2 * CIRCLE_KNOTS };
  return { minDepth: 3, width: HELIX_KNOTS };
}

class Builder {
  readonly widths: number[];
  readonly weights: Float64Array[] = [];
  readonly biases: Float64Array[] = [];
  constructor(inputs: number) {
    this.widths = [inputs];
  }
  /** Appends a layer of `width` neurons; returns setters for its weights (out, in) and biases. */
  layer(width: number): { w(o: number, i: number, v: number): void; b(o: number, v: number): void } {
    const inW = this.widths[this.widths.length - 1]!;
    const w = new Float64Array(width * inW);
    const b = new Float64Array(width);
    this.widths.push(width);
    this.weights.push(w);
    this.biases.push(b);
    return { w: (o, i, v) => void (w[o * inW + i] = v), b: (o, v) => void (b[o] = v) };
  }
  /** A layer that copies its (non-negative) inputs. */
  copy(): void {
    const n = this.widths[this.widths.length - 1]!;
    const l = this.layer(n);
    for (let i = 0; i < n; i++) l.w(i, i, 1);
  }
  /** A layer of ReLU units of a fit, `groups` times (one block of units per input feature `inputOf(g)`). */
  knots(fit: PwlFit, groups: number, inputsOf: (g: number) => number[]): void {
    const K = fit.knots.length;
    const l = this.layer(groups * K);
    for (let g = 0; g < groups; g++)
      for (let k = 0; k < K; k++) {
        for (const i of inputsOf(g)) l.w(g * K + k, i, fit.signs[k]!);
        l.b(g * K + k, -fit.signs[k]! * fit.knots[k]!);
      }
  }
  build(task: TaskName): TargetNet {
    return { task, widths: this.widths, weights: this.weights, biases: this.biases };
  }
}

export function buildTarget(task: TaskName, depth: number): TargetNet {
  const { minDepth } = targetRequirements(task);
  if (!Number.isInteger(depth) || depth < minDepth)
    throw new ConfigError(`the ${task} target needs depth >= ${minDepth} (layers including the input), got ${depth}`);
  if (task === 'relu') return reluTarget(depth);
  if (task === 'circle') return circleTarget(depth);
  return helixTarget(depth);
}

function reluTarget(depth: number): TargetNet {
  const b = new Builder(1);
  for (let l = 0; l < depth - 1; l++) b.layer(1).w(0, 0, 1);
  return b.build('relu');
}

function circleTarget(depth: number): TargetNet {
  const K = CIRCLE_KNOTS;
  const b = new Builder(2);
  let fit: PwlFit;
  if (depth === 3) {
    fit = fitPiecewiseLinear([(s) => s * s], -1, 1, K);
    b.knots(fit, 2, (g) => [g]);
  } else {
    fit = fitPiecewiseLinear([(s) => s * s], 0, 1, K);
    const split = b.layer(4); // relu(x1), relu(−x1), relu(x2), relu(−x2)
    for (let i = 0; i < 2; i++) {
      split.w(2 * i, i, 1);
      split.w(2 * i + 1, i, -1);
    }
    if (depth === 4) b.knots(fit, 2, (g) => [2 * g, 2 * g + 1]);
    else {
      const abs = b.layer(2);
      for (let i = 0; i < 2; i++) {
        abs.w(i, 2 * i, 1);
        abs.w(i, 2 * i + 1, 1);
      }
      for (let l = 5; l < depth; l++) b.copy();
      b.knots(fit, 2, (g) => [g]);
    }
  }
  // Logit c = α_c·r̂² + γ_c with r̂² = Σ_i (bias + Σ_k coef_k·unit_ik); γ makes neighbouring logits tie at the boundaries.
  const gamma = [0];
  for (let c = 1; c < CIRCLE_SLOPES.length; c++)
    gamma.push(gamma[c - 1]! - (CIRCLE_SLOPES[c]! - CIRCLE_SLOPES[c - 1]!) * CIRCLE_BOUNDARIES[c - 1]!);
  const out = b.layer(CIRCLE_SLOPES.length);
  CIRCLE_SLOPES.forEach((alpha, c) => {
    for (let g = 0; g < 2; g++) for (let k = 0; k < K; k++) out.w(c, g * K + k, alpha * fit.coef[0]![k]!);
    out.b(c, alpha * 2 * fit.bias[0]! + gamma[c]!);
  });
  return b.build('circle');
}

function helixTarget(depth: number): TargetNet {
  const b = new Builder(1);
  const coords = [0, 1, 2].map((j) => (x: number) => helixPoint(x)[j]!);
  let fit: PwlFit;
  if (depth === 3) fit = fitPiecewiseLinear(coords, -1, 1, HELIX_KNOTS);
  else {
    const shift = b.layer(1); // s = relu(x + 1) = x + 1 on [−1, 1]
    shift.w(0, 0, 1);
    shift.b(0, 1);
    fit = fitPiecewiseLinear(
      coords.map((f) => (s: number) => f(s - 1)),
      0,
      2,
      HELIX_KNOTS,
    );
  }
  b.knots(fit, 1, () => [0]);
  // At depth ≥ 5 the coefficients feed hidden neurons shifted by +1 (kept positive), undone by the last bias.
  const lift = depth >= 5 ? 1 : 0;
  const coef = b.layer(3);
  for (let j = 0; j < 3; j++) {
    for (let k = 0; k < HELIX_KNOTS; k++) coef.w(j, k, fit.coef[j]![k]!);
    coef.b(j, fit.bias[j]! + lift);
  }
  for (let l = 4; l < depth; l++) {
    const id = b.layer(3);
    for (let j = 0; j < 3; j++) {
      id.w(j, j, 1);
      if (l === depth - 1) id.b(j, -1);
    }
  }
  return b.build('helix');
}

/** Runs the target in float64 on n inputs [n, widths[0]]; returns [n, out]. */
export function targetForward(t: TargetNet, x: ArrayLike<number>, n: number): Float64Array {
  let h = Float64Array.from(x);
  const L = t.weights.length;
  for (let l = 0; l < L; l++) {
    const inW = t.widths[l]!;
    const outW = t.widths[l + 1]!;
    const w = t.weights[l]!;
    const next = new Float64Array(n * outW);
    for (let r = 0; r < n; r++)
      for (let o = 0; o < outW; o++) {
        let s = t.biases[l]![o]!;
        for (let i = 0; i < inW; i++) {
          const wv = w[o * inW + i]!;
          if (wv !== 0) s += wv * h[r * inW + i]!;
        }
        next[r * outW + o] = l < L - 1 ? Math.max(0, s) : s;
      }
    h = next;
  }
  return h;
}

/** Number of edges (non-zero weights). */
export function targetEdges(t: TargetNet): number {
  let k = 0;
  for (const w of t.weights) for (let i = 0; i < w.length; i++) if (w[i] !== 0) k++;
  return k;
}
