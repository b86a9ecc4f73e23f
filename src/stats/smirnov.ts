// The one-sided Kolmogorov-Smirnov (Smirnov) survival function Pr(D+_n >= x), computed as scipy.special.smirnov
// does: the Birnbaum-Tingey sum
//   Pr(D+_n >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
// in double-double, each term kept as a mantissa and a separate binary exponent so that neither the binomial nor the
// powers overflow. The two-sided distribution uses 2*smirnov wherever the two one-sided events cannot both happen.
import { add, addNum, type DD, dd, div, floor, frexp, ldexp, ldexpNum, mul, mulNum } from './double-double.js';

const MINLOG = -745.1332191019412; // log(2^-1075): exp of anything below is 0
const MAX_COMPUTE_N = 1000000; // beyond this an approximation replaces the sum
const UPPER_SUM_MAX_TERMS = 3;
const UPPER_SUM_MIN_N = 10;
const MAX_EXPONENT = 960; // below 1023 - 52 so both halves of a double-double stay normal

/** Pr(D+_n >= x) for the one-sided statistic of a sample of size n (an integer >= 1), 0 <= x <= 1. */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // floor(n*x) and its remainder, exactly.
  const nxD = mulNum(dd(x), n);
  const nxFloorD = floor(nxD);
  let alpha = add(nxD, { hi: -nxFloorD.hi, lo: -nxFloorD.lo }).hi;
  let nxFloor = Math.trunc(nxFloorD.hi);
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  // The lower sum runs to v = floor(n(1-x)), which is n - floor(nx) - 1 whether or not nx is an integer: at an
  // integer the term for v = n - nx is zero and is left out; the upper sum then starts one further away.
  const lastLower = n - nxFloor - 1;
  const firstUpper = n - nxFloor + (alpha === 0 ? 1 : 0);

  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return 1 - x * powDD(addNum(dd(1), x), n - 1).hi;
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxFloor >= n - 1) return powDD(addNum(dd(1), -x), n).hi;
  if (n > MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp);
  }

  // The upper sum (v from n down) has few terms for small x but alternates in sign, so only when very short.
  const upperTerms = n - firstUpper + 1;
  const useUpper =
    (upperTerms <= 1 && x < 0.5) ||
    (n >= UPPER_SUM_MIN_N && upperTerms <= UPPER_SUM_MAX_TERMS && x <= 0.5 / Math.sqrt(n));
  const start = useUpper ? n : 0;
  const step = useUpper ? -1 : 1;
  const nTerms = useUpper ? upperTerms : lastLower + 1;
  // The v = start term: C(n, n) (1+x)^(n-1), or C(n, 0) (1-x)^n / x.
  let term = useUpper
    ? powDD(div(addNum(dd(1), x), dd(1)), n - 1)
    : div(powDD(div(addNum(dd(1), -x), dd(1)), n), dd(x));
  let sum = add(dd(0), term);
  let binomMan = dd(1);
  let binomExp = 0;
  const nextBinomial = (j: number): void => {
    const [man, e] = frexp(mul(binomMan, div(dd(n - j), dd(j + 1.0))));
    binomMan = man;
    binomExp += e;
  };
  nextBinomial(0);
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    const [t1, e1] = scaledPower(addNum(div(dd(v), dd(n)), x), v - 1);
    const [t2, e2] = scaledPower(addNum(div(dd(n - v), dd(n)), -x), n - v);
    term = ldexp(mul(mul(t1, t2), binomMan), binomExp + e1 + e2);
    const nonZero = term.hi !== 0 || term.lo !== 0;
    if (Number.isFinite(term.hi) && nonZero) sum = add(sum, term);
    // Stop once the remaining terms cannot change the sum.
    if (nonZero) {
      if (4 * (nTerms - j) * Math.abs(term.hi) < Number.EPSILON * sum.hi && j !== nTerms - 1) break;
    } else if (j > Math.trunc(n / 2)) break;
    nextBinomial(j);
  }
  const prob = mulNum(sum, x).hi;
  return Math.min(Math.max(useUpper ? 1 - prob : prob, 0), 1);
}

/** a^m for a double-double and an integer m >= 0: pow() of the high part, corrected to first order for the low. */
function powDD(a: DD, m: number): DD {
  if (m === 0) return dd(1);
  if (a.hi === 0 && a.lo === 0) return dd(0);
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) adj += m * r * (((m - 1) / 2.0) * r);
    else adj = Math.expm1(m * Math.log1p(r));
  }
  return addNum(dd(ans), ans * adj);
}

/** a^m (m >= 0) as mantissa * 2^exponent, splitting the power where it would leave the double range. */
function scaledPower(a: DD, m: number): [DD, number] {
  if (m === 0) return [dd(1), 0];
  const [y, yE] = frexp(a);
  if (m === 1) return [y, yE];
  let maxExpt = MAX_EXPONENT;
  if ((m * (y.hi - 1)) / y.hi < -MAX_EXPONENT * Math.LN2) {
    const lg2y = Math.log(y.hi) / Math.LN2;
    if (m * lg2y <= -MAX_EXPONENT) {
      // x * (1 + 2^-52): the quirk of the reference rounding, kept so the split points agree.
      const upper = -MAX_EXPONENT / lg2y + 1;
      maxExpt = Math.trunc(Math.abs(ldexpNum(upper, -52) + upper) / 2);
    }
  }
  if (m <= maxExpt) {
    const [ans, e] = frexp(powDD(y, m));
    return [ans, e + m * yE];
  }
  const q = Math.trunc(m / maxExpt);
  const [y2r, y2rE] = scaledPower(y, m % maxExpt);
  const [y2m, y2mE] = scaledPower(y, maxExpt);
  const [y2mq, y2mqE] = scaledPower(y2m, q);
  const [ans, e] = frexp(mul(y2r, y2mq));
  return [ans, e + y2mqE + y2mE * q + y2rE + m * yE];
}
