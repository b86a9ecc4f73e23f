// The ownership study's settings (docs/results/ownership.md): LeNet-300-100 tickets found by IMP on MNIST, signed
// with a QR code in the 300→100 layer and attacked; locked with the V1 key on the sparsest ticket; signed with a
// trigger set (V3). One seed is one replicate of the IMP run and everything made from it.
import { PATH_SCORES, type PathScore } from '../../ownership/key-lock.js';
import { ConfigError } from '../../util/errors.js';

export interface OwnershipStudySettings {
  model: string;
  /** IMP levels after the dense level 0, and the iterations of every level and every retraining. */
  levels: number;
  steps: string;
  /** The level signed (V2 and V3) and its layer. */
  signLevel: number;
  layer: string;
  message: string;
  forgeMessage: string;
  /** Attack strengths: fractions of the kept weights pruned, randomly pruned or added. */
  amounts: number[];
  /** Fine-tuning lengths, as fractions of the run's training (masked, and dense then re-sparsified). */
  finetune: number;
  finetuneDense: number;
  triggers: number;
  triggersPerBatch: number;
  /** V1: the level locked (the sparsest), the numbers of paths removed and how they are drawn (one lock each). */
  lockLevel: number;
  lockPaths: number[];
  lockScores: PathScore[];
  seed: number;
}

export const OWNERSHIP_STUDY_DEFAULTS: OwnershipStudySettings = {
  model: 'mnist_lenet_300_100',
  levels: 12,
  steps: '20000it',
  signLevel: 5,
  layer: 'fc2.weight',
  message: 'ticketlab',
  forgeMessage: 'not the owner',
  amounts: [0.05, 0.1, 0.2],
  finetune: 0.25,
  finetuneDense: 0.1,
  triggers: 100,
  triggersPerBatch: 2,
  lockLevel: 12,
  lockPaths: [50, 150],
  lockScores: ['magnitude', 'random'],
  seed: 1,
};

export function validateOwnershipStudy(s: OwnershipStudySettings): void {
  if (!(Number.isInteger(s.levels) && s.levels >= 1))
    throw new ConfigError(`--levels must be a positive integer, got ${s.levels}`);
  for (const [flag, v] of [
    ['--sign-level', s.signLevel],
    ['--lock-level', s.lockLevel],
  ] as const)
    if (!(Number.isInteger(v) && v >= 0 && v <= s.levels))
      throw new ConfigError(`${flag} must be a level in [0, ${s.levels}], got ${v}`);
  if (s.amounts.length === 0) throw new ConfigError('--amounts needs at least one attack strength');
  for (const a of s.amounts)
    if (!(a > 0 && a < 1)) throw new ConfigError(`--amounts are fractions of the kept weights in (0, 1), got ${a}`);
  if (s.lockPaths.length === 0) throw new ConfigError('--lock-paths needs at least one number of paths');
  for (const n of s.lockPaths)
    if (!(Number.isInteger(n) && n >= 1)) throw new ConfigError(`--lock-paths are positive integers, got ${n}`);
  for (const k of s.lockScores)
    if (!PATH_SCORES.includes(k))
      throw new ConfigError(`unknown --lock-scores entry '${k}'; choose from ${PATH_SCORES.join(', ')}`);
  if (s.message === s.forgeMessage) throw new ConfigError('--forge-message must differ from --message');
}
