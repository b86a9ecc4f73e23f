// `sign`: a ticket signed with a QR code in its mask (V2), retrained from the run's rewind point as the paper does,
// optionally with a trigger set learned alongside (V3). Stored as a derived branch of the run's level.
import fs from 'node:fs';
import path from 'node:path';
import { runDerived, type DerivedResult, type DerivedSpec } from '../lottery/derived.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { Weights } from '../store/weights.js';
import type { Masks } from '../pruning/masks.js';
import { ConfigError } from '../util/errors.js';
import { signMask, type Signature } from './sign.js';
import { makeTriggers, saveTriggers, TRIGGER_FILE } from './triggers.js';

export const SIGNATURE_FILE = 'signature.json';

export type BranchRef = Pick<
  DerivedSpec,
  'run' | 'root' | 'replicate' | 'level' | 'from' | 'name' | 'dataDir' | 'signal' | 'onStep'
>;

export interface SignRequest extends BranchRef {
  message: string;
  layer?: string;
  /** Iterations of retraining from the rewind point (default: the run's whole training). */
  retrainSteps?: number;
  /** V3: this many trigger images, `triggersPerBatch` of them in every batch (0: none). */
  triggers?: number;
  triggersPerBatch?: number;
}

export interface SignOutcome extends DerivedResult {
  signature: Omit<Signature, 'masks'>;
}

/**
 * What decides which weights the edit touches: trained |θ| for the ticket's kept weights, |θ| at the rewind point for
 * pruned ones (their trained value is zero), so switching on favours weights that start large.
 */
export function editWeights(masks: Masks, final: Weights, rewind: Weights): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, m] of masks) {
    const f = final.get(name)!;
    const r = rewind.get(name)!;
    out.set(
      name,
      f.map((v, i) => (m[i] !== 0 ? v : r[i]!)),
    );
  }
  return out;
}

export async function signTicket(r: SignRequest): Promise<SignOutcome> {
  const triggers = r.triggers ?? 0;
  const perBatch = r.triggersPerBatch ?? 2;
  if (!(Number.isInteger(perBatch) && perBatch >= 1 && perBatch <= 1000))
    throw new ConfigError(`--triggers-per-batch must be an integer in [1, 1000], got ${perBatch}`);
  let signature: Omit<Signature, 'masks'> | null = null;
  const result = await runDerived({
    ...r,
    provenance: {
      kind: 'sign',
      params: {
        message: r.message,
        layer: r.layer ?? null,
        retrain_steps: r.retrainSteps ?? null,
        triggers,
        per_batch: perBatch,
      },
    },
    plan: (src) => {
      const shapes = new Map(src.model.prunableParameters().map(([n, p]) => [n, p.shape]));
      const edit = editWeights(src.masks, src.final, src.rewind.weights);
      const sig = signMask({
        masks: src.masks,
        weights: new Map([...edit].map(([n, data]) => [n, { data, shape: shapes.get(n)! }])),
        message: r.message,
        layer: r.layer,
        seed: src.seed,
      });
      const { masks, ...summary } = sig;
      signature = summary;
      const steps = r.retrainSteps === undefined ? src.training.steps : `${src.rewind.step + r.retrainSteps}it`;
      const set = triggers > 0 ? makeTriggers(src.prepared.data.train, triggers, src.seed) : null;
      return {
        masks,
        start: src.rewind.weights,
        train: {
          training: { ...src.training, steps },
          startStep: src.rewind.step,
          mixIn: set ? { x: set.x, y: set.y, perBatch } : undefined,
        },
        files: (dir) => {
          writeFileAtomic(path.join(dir, SIGNATURE_FILE), JSON.stringify(summary) + '\n');
          if (set) saveTriggers(path.join(dir, TRIGGER_FILE), set);
        },
      };
    },
  });
  signature ??= JSON.parse(fs.readFileSync(path.join(result.dir, SIGNATURE_FILE), 'utf8')) as Omit<Signature, 'masks'>;
  return { ...result, signature };
}
