// `lock` and `unlock` (V1): the locked ticket is the ticket without the key's paths, retrained from the rewind point;
// the unlocked one has the key's weights kept again and is retrained the same way. The key is stored with the locked
// branch (key.safetensors, 1 where a weight was removed) and can be copied out to be kept apart from the ticket.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Tensor } from '../engine/tensor.js';
import { runDerived, type DerivedResult } from '../lottery/derived.js';
import { LotteryExperiment } from '../lottery/experiment.js';
import { applyMasks, type Masks } from '../pruning/masks.js';
import { loadMasks, saveMasks } from '../store/weights.js';
import { writeFileAtomic } from '../store/atomic.js';
import { Rng } from '../engine/rng.js';
import { ConfigError, UserError } from '../util/errors.js';
import { removePaths, restoreKey, type PathScore } from './key-lock.js';
import { pathScores } from './path-scores.js';
import type { BranchRef } from './sign-ticket.js';

export const KEY_FILE = 'key.safetensors';
const LOCK_FILE = 'lock.json';

export interface LockRequest extends BranchRef {
  paths: number;
  score: PathScore;
  /** Examples in the batch the gradient and Hessian scores are taken on. */
  batch?: number;
}

export interface LockOutcome extends DerivedResult {
  /** Weights removed, paths removed, and the layers they run through. */
  removed: number;
  paths: number;
  chain: string[];
  keyFile: string;
}

export async function lockTicket(r: LockRequest): Promise<LockOutcome> {
  const batch = r.batch ?? 256;
  let summary: { removed: number; paths: number; chain: string[] } | null = null;
  const result = await runDerived({
    ...r,
    provenance: { kind: 'lock', params: { paths: r.paths, score: r.score, batch } },
    plan: (src) => {
      const { model, prepared } = src;
      model.loadStateDict(src.final);
      applyMasks(model, src.masks);
      const train = prepared.data.train;
      const rng = Rng.stream(src.seed, 'ownership-lock-batch');
      const ids = Int32Array.from({ length: Math.min(batch, train.size) }, () => rng.int(train.size));
      const { x, y } = train.batch(ids);
      const loss = () => prepared.loss(model.forward(new Tensor(x, [ids.length, ...train.sampleShape])), y);
      const scores = pathScores(model, r.score, loss);
      for (const [, p] of model.prunableParameters()) p.setMask(null);
      const params = model.prunableParameters();
      const lock = removePaths({
        masks: src.masks,
        layers: new Map(params.map(([n, p]) => [n, { shape: p.shape, scores: scores.get(n)! }])),
        order: params.map(([n]) => n),
        paths: r.paths,
        seed: src.seed,
      });
      summary = { removed: lock.removed, paths: lock.paths, chain: lock.chain };
      return {
        masks: lock.masks,
        start: src.rewind.weights,
        train: { training: src.training, startStep: src.rewind.step },
        files: (dir) => {
          saveMasks(path.join(dir, KEY_FILE), model, lock.key, { kind: 'key', removed: lock.removed });
          writeFileAtomic(path.join(dir, LOCK_FILE), JSON.stringify(summary) + '\n');
        },
      };
    },
  });
  summary ??= JSON.parse(fs.readFileSync(path.join(result.dir, LOCK_FILE), 'utf8')) as {
    removed: number;
    paths: number;
    chain: string[];
  };
  return { ...result, ...summary, keyFile: path.join(result.dir, KEY_FILE) };
}

export interface UnlockRequest extends BranchRef {
  /** The key file (default: the one stored with the locked branch). */
  key?: string;
}

export async function unlockTicket(r: UnlockRequest): Promise<DerivedResult> {
  const exp = LotteryExperiment.open(r.run, r.root);
  const keyFile = r.key ?? path.join(exp.levelDir(r.replicate, r.level, r.from), KEY_FILE);
  if (!fs.existsSync(keyFile))
    throw new UserError(
      r.key ? `no key file ${keyFile}` : `branch '${r.from}' at level ${r.level} holds no key: give --key FILE`,
    );
  return runDerived({
    ...r,
    provenance: { kind: 'unlock', params: { key: path.basename(keyFile), key_sha256: keyHash(keyFile) } },
    plan: (src) => {
      const key: Masks = loadMasks(keyFile, src.model);
      for (const [n, k] of key)
        for (let i = 0; i < k.length; i++)
          if (k[i] !== 0 && src.masks.get(n)![i] !== 0)
            throw new ConfigError(
              `the key does not fit branch '${r.from}': it restores weights the ticket already keeps`,
            );
      return {
        masks: restoreKey(src.masks, key),
        start: src.rewind.weights,
        train: { training: src.training, startStep: src.rewind.step },
      };
    },
  });
}

/** The key file's hash: part of the unlocked branch's identity (another key makes another branch). */
function keyHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}
