// Exact null probabilities of the two-sample KS statistic by counting lattice paths. Under the null every
// interleaving of the two sorted samples is equally likely: a monotone path from (0,0) to (n,m), and D >= h/lcm(n,m)
// exactly when the path touches one of the lines |x/n - y/m| = h/lcm. Both routines work with ratios of path counts
// so nothing overflows (the counts themselves are binomials of order 2^(n+m)).

/**
 * Pr(D_{n,n} >= h/n) for equal sizes: the reflection principle gives the alternating sum
 * 2 * sum_{k>=1} (-1)^(k-1) C(2n, n-kh) / C(2n, n), evaluated as nested products 2*A1*(1 - A2*(1 - A3*(...))) with
 * A_k = C(2n, n-kh) / C(2n, n-(k-1)h), which avoids the cancellation of the plain sum. Cost O(n + h) flops.
 */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
  }
  return 2 * P;
}

/**
 * Pr(D_{n,m} >= h/lcm) for any sizes (g = gcd): one column of the path-count table at a time, only the band of
 * rows strictly inside the two lines, each entry holding 1 minus the proportion of paths that stayed inside (Hodges'
 * "inside method" rearranged so that the result is the small tail probability itself, not 1 minus it). Cost
 * O(max(n,m) * band) flops with band = min(2h/(max(n,m)/g) + 1, min(n,m) + 1), about 2*D*min(n,m): for n = 4096,
 * m = 4000 that is about 4096 * 8000*D, i.e. 1.6M flops at D = 0.05 and 33M at D = 1.
 */
export function outerProbInsideMethod(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1.0);
  A.fill(0.0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    // Rows that left the band are outside: their proportion is 1.
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}
