// One scoring round: attach masks (zeroing pruned weights), put the model in eval mode (batch norm uses running
// statistics, as the reference implementation prunes with train mode off), score, exclude pruned weights, and
// hand the model back unchanged.
import { applyMasks, cloneMasks, type Masks } from '../masks.js';
import type { Pruner, PruneContext, Scores } from './types.js';
import { snapshotModel } from '../../nn/snapshot.js';

/** The context's masks, else those attached to the model (dense where none), as fresh copies; checked against the model. */
export function startMasks(ctx: PruneContext): Masks {
  const params = ctx.model.prunableParameters();
  if (ctx.masks) {
    for (const [n, p] of params) {
      const m = ctx.masks.get(n);
      if (!m) throw new Error(`no mask for prunable weight '${n}'`);
      if (m.length !== p.size) throw new RangeError(`mask '${n}' has ${m.length} entries, the weight has ${p.size}`);
    }
    if (ctx.masks.size !== params.length)
      throw new Error(`masks name ${ctx.masks.size} weights, the model has ${params.length} prunable weights`);
    return cloneMasks(ctx.masks);
  }
  return new Map(params.map(([n, p]) => [n, p.mask ? p.mask.slice() : new Float32Array(p.size).fill(1)]));
}

export function applyAndScore(pruner: Pruner, ctx: PruneContext, masks: Masks, round: number): Scores {
  const { model } = ctx;
  const restore = snapshotModel(model);
  let scores: Scores;
  try {
    applyMasks(model, cloneMasks(masks));
    model.eval();
    scores = pruner.score({
      model,
      masks,
      seed: ctx.seed,
      round,
      lossOnBatch: ctx.lossOnBatch,
      inputShape: ctx.inputShape,
      synflowInput: ctx.synflowInput,
    });
  } finally {
    restore();
  }
  for (const [n, m] of masks) {
    const s = scores.get(n);
    if (!s || s.length !== m.length)
      throw new Error(`pruner ${pruner.name} returned no scores of the right size for '${n}'`);
    for (let i = 0; i < s.length; i++) {
      if (m[i] === 0) s[i] = -Infinity;
      else if (Number.isNaN(s[i]!)) throw new Error(`pruner ${pruner.name} produced NaN scores for '${n}'`);
    }
  }
  return scores;
}
