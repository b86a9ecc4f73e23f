// chrF2 (Popović 2015): character n-grams of orders 1-6 with whitespace removed, matches clipped by the reference
// counts, statistics summed over the corpus, precision and recall each averaged over the orders, then F-beta with
// beta = 2 (recall weighs more), on a 0-100 scale. (Toolkits differ in how they average orders; this is the
// paper's.)

export const CHRF_ORDER = 6;
const BETA = 2;

/** Per order n (index n - 1): [hypothesis n-grams, reference n-grams, matching n-grams]. */
type Stats = [number, number, number][];

function ngramCounts(chars: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n).join('');
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

function sentenceStats(hypothesis: string, reference: string): Stats {
  // Code points, whitespace dropped.
  const hyp = [...hypothesis.replace(/\s+/g, '')];
  const ref = [...reference.replace(/\s+/g, '')];
  const stats: Stats = [];
  for (let n = 1; n <= CHRF_ORDER; n++) {
    const h = ngramCounts(hyp, n);
    const r = ngramCounts(ref, n);
    let match = 0;
    for (const [g, c] of h) match += Math.min(c, r.get(g) ?? 0);
    stats.push([Math.max(0, hyp.length - n + 1), Math.max(0, ref.length - n + 1), match]);
  }
  return stats;
}

/** Corpus chrF of hypotheses against their references (one reference each), 0-100. */
export function chrF(hypotheses: readonly string[], references: readonly string[]): number {
  if (hypotheses.length !== references.length)
    throw new RangeError(`chrF: ${hypotheses.length} hypotheses but ${references.length} references`);
  const total: Stats = Array.from({ length: CHRF_ORDER }, () => [0, 0, 0]);
  hypotheses.forEach((h, i) => {
    sentenceStats(h, references[i]!).forEach((s, n) => {
      for (let k = 0; k < 3; k++) total[n]![k]! += s[k]!;
    });
  });
  // Orders that no hypothesis or reference is long enough for are left out of the averages.
  let precision = 0;
  let recall = 0;
  let orders = 0;
  for (const [hyp, ref, match] of total) {
    if (hyp === 0 || ref === 0) continue;
    precision += match / hyp;
    recall += match / ref;
    orders++;
  }
  if (orders === 0) return 0;
  precision /= orders;
  recall /= orders;
  if (precision + recall === 0) return 0;
  const b2 = BETA * BETA;
  return (100 * ((1 + b2) * precision * recall)) / (b2 * precision + recall);
}
