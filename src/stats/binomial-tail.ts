// The upper tail of a binomial distribution, P(X ≥ k) for X ~ Binomial(n, p), summed term by term in log space so
// that tails far below 1e-300 are still told apart (as log10). Exact up to rounding for the n of a QR window (≤ 10^4).

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error below 1e-15). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log P(X ≥ k), X ~ Binomial(n, p). */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(k))) throw new RangeError(`bad binomial tail (${k}, ${n})`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must lie in [0, 1], got ${p}`);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p === 0) return -Infinity;
  if (p === 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnf = logGamma(n + 1);
  let max = -Infinity;
  const terms: number[] = [];
  for (let i = k; i <= n; i++) {
    const t = lnf - logGamma(i + 1) - logGamma(n - i + 1) + i * lp + (n - i) * lq;
    terms.push(t);
    if (t > max) max = t;
  }
  let s = 0;
  for (const t of terms) s += Math.exp(t - max);
  return Math.min(0, max + Math.log(s));
}
