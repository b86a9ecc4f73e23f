// The L2 robustness certificate of randomized smoothing (Cohen, Rosenfeld & Kolter 2019). With probability at least
// 1 − α over the Monte Carlo samples, the smoothed predictor g(θ) = argmax_c P_{ε∼N(0,σ²I)}(f(θ + ε) = c) returns the
// same class at θ + δ for every perturbation with ‖δ‖₂ < R. It says nothing about the unsmoothed predictor f.
import { DataError } from '../util/errors.js';
import { clopperPearsonLower } from './binomial-bound.js';
import { normalQuantile } from './normal.js';

export interface CountCertificate {
  /** The one-sided (1 − alpha) Clopper-Pearson lower bound on the top class's probability under noise. */
  pALower: number;
  /** The certified L2 radius; 0 when abstaining. */
  radius: number;
  /** True when pALower ≤ ½: no class is certified to hold a majority, so g abstains. */
  abstain: boolean;
}

/**
 * Cohen et al.'s radius R = σ/2 · (Φ⁻¹(p_A) − Φ⁻¹(p_B)) from a lower bound p_A on the top class's probability and an
 * upper bound p_B on the runner-up's; p_B defaults to 1 − p_A, giving R = σ·Φ⁻¹(p_A). Returns 0 (abstain) when
 * p_A ≤ ½ or p_A ≤ p_B, and Infinity, as the formula does, when p_A = 1 or p_B = 0.
 */
export function certifiedRadius(pALower: number, sigma: number, pBUpper?: number): number {
  if (!(sigma > 0 && sigma < Infinity)) throw new DataError(`certified radius: sigma must be positive, got ${sigma}`);
  checkProbability('pALower', pALower);
  if (pBUpper !== undefined) checkProbability('pBUpper', pBUpper);
  if (pALower <= 0.5 || (pBUpper !== undefined && pALower <= pBUpper)) return 0;
  // Φ⁻¹(1 − p) = −Φ⁻¹(p) exactly for p ≥ ½, so the default needs no second quantile.
  if (pBUpper === undefined) return sigma * normalQuantile(pALower);
  return (sigma / 2) * (normalQuantile(pALower) - normalQuantile(pBUpper));
}

/**
 * Cohen et al.'s CERTIFY from counts: of `trials` noisy samples, `topCount` gave the class chosen beforehand (on a
 * separate selection sample); its probability is bounded below by Clopper-Pearson at level `alpha`.
 */
export function certifyCounts(options: {
  topCount: number;
  trials: number;
  alpha: number;
  sigma: number;
}): CountCertificate {
  const { topCount, trials, alpha, sigma } = options;
  const pALower = clopperPearsonLower(topCount, trials, alpha);
  const radius = certifiedRadius(pALower, sigma);
  return { pALower, radius, abstain: pALower <= 0.5 };
}

function checkProbability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new DataError(`certified radius: ${name} must be in [0, 1], got ${p}`);
}
