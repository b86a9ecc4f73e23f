// The LTP study's settings (docs/results/ltp.md): a small byte-level encoder pretrained with masked-LM on several
// udhr languages, fine-tuned with masked-LM on English, its LTP ticket drawn (the parameters that changed most), and a
// classifier trained through soft prompts on English and tested zero-shot on the other languages. The paper prompts
// XLM-R on XNLI and AmericasNLI; a model that size does not train here, so this keeps the method at a small scale.
import { ConfigError } from '../../util/errors.js';

export interface LtpStudySettings {
  model: string;
  /** udhr languages of pretraining; the first is the task's training language, the rest are tested zero-shot. */
  languages: string[];
  /** Bytes per classified window, and soft-prompt vectors in front of it. */
  window: number;
  promptLength: number;
  batchSize: number;
  pretrainSteps: number;
  pretrainLr: number;
  /** Masked-LM fine-tuning on the first language: the steps whose weight changes define the ticket. */
  mlmSteps: number;
  mlmLr: number;
  /** Classifier training of every method. */
  taskSteps: number;
  taskLr: number;
  /** Fraction of the scoped weights the ticket keeps (the paper's 20%). */
  keep: number;
  seed: number;
}

export const LTP_STUDY_DEFAULTS: LtpStudySettings = {
  model: 'lm_encoder_3_64',
  languages: ['spa', 'glg', 'cat', 'por_PT', 'ast', 'ita'],
  window: 48,
  promptLength: 8,
  batchSize: 16,
  pretrainSteps: 1500,
  pretrainLr: 1e-3,
  mlmSteps: 300,
  mlmLr: 1e-3,
  taskSteps: 400,
  taskLr: 1e-3,
  keep: 0.2,
  seed: 0,
};

/**
 * What trains on the task besides the soft prompt and the classifier head: nothing (prompt only), everything (full
 * fine-tuning), the LTP ticket, a random mask of the same size, or the ticket's budget spent only in the bottom,
 * middle or top block (the largest changes there).
 */
export const LTP_METHODS = ['prompt', 'full', 'ltp', 'random', 'bottom', 'middle', 'top'] as const;
export type LtpMethod = (typeof LTP_METHODS)[number];

export function validateLtpStudy(s: LtpStudySettings): void {
  if (!/^lm_encoder_/.test(s.model)) throw new ConfigError(`the LTP study trains lm_encoder models, not ${s.model}`);
  if (s.languages.length < 2)
    throw new ConfigError('--languages needs the training language and at least one to test zero-shot');
  if (new Set(s.languages).size !== s.languages.length) throw new ConfigError('--languages repeats a language');
  if (!(s.keep > 0 && s.keep <= 1)) throw new ConfigError(`--keep must lie in (0, 1], got ${s.keep}`);
  for (const [flag, v] of [
    ['--window', s.window],
    ['--batch-size', s.batchSize],
    ['--pretrain-steps', s.pretrainSteps],
    ['--mlm-steps', s.mlmSteps],
    ['--task-steps', s.taskSteps],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${flag} must be a positive integer, got ${v}`);
  if (!(Number.isInteger(s.promptLength) && s.promptLength >= 0))
    throw new ConfigError(`--prompt-length must be a non-negative integer, got ${s.promptLength}`);
  for (const [flag, v] of [
    ['--pretrain-lr', s.pretrainLr],
    ['--mlm-lr', s.mlmLr],
    ['--task-lr', s.taskLr],
  ] as const)
    if (!(v > 0 && Number.isFinite(v))) throw new ConfigError(`${flag} must be a positive number, got ${v}`);
}
