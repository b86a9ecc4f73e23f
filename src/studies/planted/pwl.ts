// Piecewise-linear fits built from ReLU units, the building block of the target networks: on [lo, hi], unit k
// computes relu(sign_k · (s − t_k)) at evenly spaced knots t_k = lo + k·(hi − lo)/count, and each output is a
// least-squares combination of the units plus a bias (fitted on a fine uniform grid, i.e. in L2 under the uniform
// input distribution of the tasks). Unit 0 faces up (sign +1) and is linear on the whole interval; the others
// alternate in sign, so the units' (bias, weight) sign patterns are mixed, as in the paper's reference targets —
// this matters when planting, which needs mother neurons whose signs agree with the target neuron's.

export interface PwlFit {
  knots: number[];
  signs: (1 | -1)[];
  /** coef[j][k]: weight of unit k in output j. */
  coef: number[][];
  bias: number[];
}

export function fitPiecewiseLinear(
  fns: readonly ((s: number) => number)[],
  lo: number,
  hi: number,
  count: number,
): PwlFit {
  if (!(hi > lo) || !Number.isInteger(count) || count < 1)
    throw new RangeError(`bad piecewise-linear fit: [${lo}, ${hi}] with ${count} units`);
  const knots = Array.from({ length: count }, (_, k) => lo + (k * (hi - lo)) / count);
  const signs = knots.map((_, k) => (k % 2 === 0 ? 1 : -1) as 1 | -1);
  const grid = 64 * count + 1;
  const m = count + 1; // unknowns: bias, then one coefficient per unit
  const ata = Array.from({ length: m }, () => new Float64Array(m));
  const atb = fns.map(() => new Float64Array(m));
  const row = new Float64Array(m);
  for (let g = 0; g < grid; g++) {
    const s = lo + ((hi - lo) * g) / (grid - 1);
    row[0] = 1;
    for (let k = 0; k < count; k++) row[k + 1] = Math.max(0, signs[k]! * (s - knots[k]!));
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) ata[a]![b]! += row[a]! * row[b]!;
    fns.forEach((f, j) => {
      const v = f(s);
      for (let a = 0; a < m; a++) atb[j]![a]! += row[a]! * v;
    });
  }
  const sol = atb.map((rhs) => solve(ata, rhs));
  return { knots, signs, coef: sol.map((x) => Array.from(x.subarray(1))), bias: sol.map((x) => x[0]!) };
}

/** Value of output j of a fit at s. */
export function evalPwl(fit: PwlFit, j: number, s: number): number {
  let v = fit.bias[j]!;
  for (let k = 0; k < fit.knots.length; k++) v += fit.coef[j]![k]! * Math.max(0, fit.signs[k]! * (s - fit.knots[k]!));
  return v;
}

/** Solves A x = b (A symmetric positive definite here) by Gaussian elimination with partial pivoting. */
function solve(aIn: readonly Float64Array[], bIn: Float64Array): Float64Array {
  const n = bIn.length;
  const a = aIn.map((r) => Float64Array.from(r));
  const b = Float64Array.from(bIn);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    const piv = a[c]![c]!;
    if (Math.abs(piv) < 1e-300) throw new Error('piecewise-linear fit: singular system');
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}
