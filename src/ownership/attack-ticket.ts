// `attack`: a new ticket made from a (signed) one the way a thief might, stored as a derived branch so `verify`
// reads it like any other. prune, random-prune and add edit the mask of the trained weights (optionally followed by
// fine-tuning under the new mask); finetune trains every weight further, pruned ones included (they start at zero),
// then keeps the largest at the ticket's per-layer densities; forge writes a second QR code with another message
// into another layer (the ambiguity attack).
import { runDerived, type DerivedPlan, type SourceLevel } from '../lottery/derived.js';
import { pruneLayersToDensity } from '../pruning/magnitude.js';
import { countOnes, denseMasks } from '../pruning/masks.js';
import { ConfigError } from '../util/errors.js';
import { addConnections, checkAmount, magnitudePrune, randomPrune, type AttackKind } from './attacks.js';
import { signMask } from './sign.js';
import { editWeights, type BranchRef } from './sign-ticket.js';
import { verifyMasks } from './verify.js';
import { eligibleLayers } from './layers.js';
import { iterations } from '../training/plan.js';

export interface AttackRequest extends BranchRef {
  kind: AttackKind;
  amount: number;
  /** forge: the forger's message. */
  message?: string;
  /** prune, random-prune, add: iterations of fine-tuning under the new mask afterwards (default none). */
  retrainSteps?: number;
}

export async function attackTicket(r: AttackRequest) {
  checkAmount(r.kind, r.amount);
  if (r.kind === 'forge' && !r.message) throw new ConfigError("--kind forge needs --message, the forger's message");
  if (r.retrainSteps !== undefined && (r.kind.startsWith('finetune') || r.kind === 'forge'))
    throw new ConfigError(`--retrain-steps applies to prune, random-prune and add, not ${r.kind}`);
  return runDerived({
    ...r,
    provenance: {
      kind: `attack-${r.kind}`,
      params: {
        amount: r.kind === 'forge' ? null : r.amount,
        message: r.message ?? null,
        retrain_steps: r.retrainSteps ?? null,
      },
    },
    plan: (src) => withRetraining(plan(r, src), r.retrainSteps, src),
  });
}

function plan(r: AttackRequest, src: SourceLevel): DerivedPlan {
  const strategy = { kind: src.pruning.strategy, ignore: src.pruning.strategy === 'global' ? src.pruning.ignore : [] };
  switch (r.kind) {
    case 'prune':
      return {
        masks: magnitudePrune(src.masks, src.final, r.amount, strategy.kind, strategy.ignore),
        start: src.final,
      };
    case 'random-prune':
      return { masks: randomPrune(src.masks, r.amount, src.seed), start: src.final };
    case 'add': {
      const added = addConnections(src.masks, src.final, r.amount, src.seed);
      return { masks: added.masks, start: added.weights };
    }
    case 'finetune':
      return {
        masks: src.masks,
        start: src.final,
        train: {
          training: { ...src.training, steps: `${Math.max(1, Math.round(r.amount * totalSteps(src)))}it` },
          startStep: 0,
        },
      };
    case 'finetune-dense': {
      const steps = Math.max(1, Math.round(r.amount * totalSteps(src)));
      const densities = new Map([...src.masks].map(([n, m]) => [n, countOnes(m) / m.length]));
      return {
        masks: denseMasks(src.model),
        start: src.final,
        train: { training: { ...src.training, steps: `${steps}it` }, startStep: 0, dense: true },
        reprune: (trained) => pruneLayersToDensity(trained, denseMasks(src.model), densities),
      };
    }
    case 'forge': {
      const shapes = new Map(src.model.prunableParameters().map(([n, p]) => [n, p.shape]));
      const found = verifyMasks(src.masks, { shapes });
      const others = eligibleLayers(src.masks.keys(), shapes).filter(([n]) => n !== found.layer);
      if (others.length === 0)
        throw new ConfigError(`no layer other than ${found.layer} has room for a second 29×29 code`);
      // The forger signs the layer that needs the fewest changes, other than the one holding a signature.
      let best: ReturnType<typeof signMask> | null = null;
      const edit = editWeights(src.masks, src.final, src.rewind.weights);
      for (const [layer] of others) {
        const s = signMask({
          masks: src.masks,
          weights: new Map([...edit].map(([n, data]) => [n, { data, shape: shapes.get(n)! }])),
          message: r.message!,
          layer,
          seed: src.seed,
        });
        if (!best || s.changed < best.changed) best = s;
      }
      return { masks: best!.masks, start: src.final };
    }
  }
}

function withRetraining(p: DerivedPlan, steps: number | undefined, src: SourceLevel): DerivedPlan {
  if (steps === undefined || p.train) return p;
  return { ...p, train: { training: { ...src.training, steps: `${steps}it` }, startStep: 0 } };
}

function totalSteps(src: SourceLevel): number {
  return iterations(src.training.steps, src.iterationsPerEpoch);
}
