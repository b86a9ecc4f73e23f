// The study's certification stage: does the smoothing certificate cover the rows the KS ticket leaves untuned?
// Predictions are the next bytes at every position of the first test windows; noise is drawn at a few scales of
// the tuned embedding's own spread (src/token-tickets/certify.ts says what a certified prediction means).
import { Tensor } from '../../engine/tensor.js';
import { noGrad } from '../../engine/autograd.js';
import type { Model } from '../../models/model.js';
import type { Weights } from '../../store/weights.js';
import { certifyTicket, type Certification } from '../../token-tickets/certify.js';
import type { LanguageData } from './data.js';
import { EMBEDDING } from './train.js';

/** Noise scales, as fractions of the tuned embedding's root-mean-square value. */
export const SIGMA_FRACTIONS = [0.05, 0.2, 0.5];
const WINDOWS = 4;
/** Cohen et al.'s CERTIFY: a few draws choose each prediction's class, many more bound its probability at α. */
const SELECT_DRAWS = 10;
const DRAWS = 500;
const ALPHA = 0.001;

export interface CertificateRecord extends Certification {
  sigma_fraction: number;
}

export function certifyStage(
  model: Model,
  pretrained: Weights,
  tuned: Weights,
  ticketRows: readonly number[],
  target: LanguageData,
  seed: number,
): CertificateRecord[] {
  const full = tuned.get(EMBEDDING)!;
  const ticketOnly = Float32Array.from(pretrained.get(EMBEDDING)!);
  const d = full.length / model.numClasses;
  for (const r of ticketRows) ticketOnly.set(full.subarray(r * d, (r + 1) * d), r * d);
  model.loadStateDict(tuned);
  const embedding = model.namedParameters().find(([n]) => n === EMBEDDING)![1];
  const n = Math.min(WINDOWS, target.test.size);
  const { x } = target.test.batch(Int32Array.from({ length: n }, (_, i) => i));
  const L = target.test.seqLen;
  const V = model.numClasses;
  const predict = (values: Float32Array) => {
    embedding.data.set(values);
    const logits = noGrad(() => model.forward(new Tensor(x, [n, L]))).data;
    const out = new Int32Array(n * L);
    for (let p = 0; p < n * L; p++) {
      let best = 0;
      for (let c = 1; c < V; c++) if (logits[p * V + c]! > logits[p * V + best]!) best = c;
      out[p] = best;
    }
    return out;
  };
  const rms = Math.sqrt(full.reduce((a, v) => a + v * v, 0) / full.length);
  const wasTraining = model.training;
  model.eval();
  try {
    return SIGMA_FRACTIONS.map((f) => ({
      sigma_fraction: f,
      ...certifyTicket(predict, full, ticketOnly, V, {
        sigma: f * rms,
        selectDraws: SELECT_DRAWS,
        draws: DRAWS,
        alpha: ALPHA,
        seed,
      }),
    }));
  } finally {
    if (wasTraining) model.train();
  }
}
