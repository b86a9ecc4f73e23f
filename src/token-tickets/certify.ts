// The certificate behind "certified" token tickets, checked rather than assumed: randomized smoothing of the
// embedding (Cohen et al.'s CERTIFY, src/stats/smoothing-certificate.ts) gives each prediction of the smoothed model
// at the fully tuned embedding an L2 radius; the prediction is certified for the ticket when the change that
// tuning made to the rows the ticket leaves out is shorter than that radius. Then, with probability 1 - α over the
// noise draws, the smoothed model with only the ticket rows tuned predicts exactly what the fully tuned one does.
import { Rng } from '../engine/rng.js';
import { certifyCounts } from '../stats/smoothing-certificate.js';

export interface CertifyOptions {
  /** Noise standard deviation on every embedding value. */
  sigma: number;
  /** Draws that pick each prediction's top class, and the separate draws that bound its probability. */
  selectDraws: number;
  draws: number;
  alpha: number;
  seed: number;
}

export interface Certification {
  sigma: number;
  /** L2 norm of the tuned change of the rows the ticket leaves out. */
  leftOutNorm: number;
  predictions: number;
  /** Share of predictions whose radius exceeds leftOutNorm, and share where the smoothed model abstains. */
  certified: number;
  abstained: number;
  medianRadius: number;
}

/**
 * `predict(embedding)` returns the class of every prediction (e.g. next tokens at fixed positions) of the model with
 * that embedding; `tuned` is the fully tuned embedding and `ticketOnly` the one with only the ticket rows tuned.
 */
export function certifyTicket(
  predict: (embedding: Float32Array) => Int32Array,
  tuned: Float32Array,
  ticketOnly: Float32Array,
  classes: number,
  o: CertifyOptions,
): Certification {
  let sq = 0;
  for (let i = 0; i < tuned.length; i++) sq += (tuned[i]! - ticketOnly[i]!) ** 2;
  const leftOutNorm = Math.sqrt(sq);
  const rng = new Rng(o.seed, 'certify');
  const noisy = new Float32Array(tuned.length);
  const tally = (draws: number): Int32Array[] => {
    const counts: Int32Array[] = [];
    for (let t = 0; t < draws; t++) {
      for (let i = 0; i < tuned.length; i++) noisy[i] = tuned[i]! + o.sigma * rng.normal();
      const classesOf = predict(noisy);
      classesOf.forEach((c, p) => {
        counts[p] ??= new Int32Array(classes);
        counts[p]![c]!++;
      });
    }
    return counts;
  };
  const argmax = (a: Int32Array) => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);
  const chosen = tally(o.selectDraws).map(argmax);
  const counts = tally(o.draws);
  const radii = chosen.map((c, p) =>
    certifyCounts({ topCount: counts[p]![c]!, trials: o.draws, alpha: o.alpha, sigma: o.sigma }),
  );
  const sorted = radii.map((r) => r.radius).sort((a, b) => a - b);
  return {
    sigma: o.sigma,
    leftOutNorm,
    predictions: radii.length,
    certified: radii.filter((r) => !r.abstain && r.radius > leftOutNorm).length / radii.length,
    abstained: radii.filter((r) => r.abstain).length / radii.length,
    medianRadius: sorted[Math.floor(sorted.length / 2)] ?? 0,
  };
}
