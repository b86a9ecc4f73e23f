// `train` as a stored experiment (OpenLTH's train runs): `<root>/train_<hash>/replicate_<r>/` holds the checkpoint
// while training and then the final weights and result.json. The same command finds a finished run again and an
// interrupted one resumes bit-identically.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { initializeModel } from '../nn/reset.js';
import type { KernelPolicy } from '../nn/dispatch.js';
import type { TrainHparams } from '../hparams/groups.js';
import { namingDefaults } from '../hparams/defaults.js';
import { flatten, nonDefaults } from '../hparams/diff.js';
import { ensureWritableDir, writeFileAtomic } from '../store/atomic.js';
import { createExperimentDir } from '../store/experiment-dir.js';
import { progressFile } from '../store/progress-file.js';
import { acquireLock } from '../store/lock.js';
import { readJson } from '../store/json.js';
import { saveTensors } from '../store/weights.js';
import { claimReplicate } from '../store/replicate.js';
import { prepareRun } from './run-data.js';
import { removeStaleTempFiles } from '../store/stale-temp.js';
import { InterruptedError } from '../util/errors.js';
import { openIndex } from '../store/index-db.js';
import { onEveryStep } from './callbacks.js';
import { CHECKPOINT_FILE, trainRun } from './run.js';
import { planTraining } from './plan.js';

export interface TrainingOptions {
  hparams: TrainHparams;
  replicate: number;
  seed: number;
  root: string;
  dataDir?: string;
  checkpointEvery: number;
  kernels?: KernelPolicy;
  signal?: AbortSignal;
  onStep?: (step: number, total: number, loss: number) => void;
}

const trainResult = z.object({
  run: z.string(),
  replicate: z.number().int().min(1),
  model: z.string(),
  dataset: z.string(),
  seed: z.number().int().min(0),
  steps: z.number().int().min(1),
  test_accuracy: z.number().min(0).max(1),
  test_loss: z.number(),
  best_test_accuracy: z.number().min(0).max(1),
  early_stop_step: z.number().int().min(0),
  early_stop_test_accuracy: z.number().min(0).max(1),
  train_loss: z.number().nullable(),
  seconds: z.number().min(0),
  examples_per_second: z.number().min(0),
  /** Language models: tokens per second and the test perplexity, exp(test loss). */
  tokens_per_second: z.number().min(0).optional(),
  test_perplexity: z.number().min(1).optional(),
  curve: z.array(z.unknown()),
});
export type TrainResult = z.infer<typeof trainResult> & { reused: boolean; dir: string };

export async function runTraining(o: TrainingOptions): Promise<TrainResult> {
  const h = o.hparams;
  const { model, data, loss, evalBatchSize, fingerprint } = await prepareRun(h.model.model, h.dataset, o.dataDir);
  ensureWritableDir(o.root);
  const identity = { 'model.model': h.model.model, ...nonDefaults(h, namingDefaults(h.model.model, h.model.init)) };
  const exp = createExperimentDir(o.root, 'train', identity, { hparams: h });
  const dir = path.join(exp.dir, `replicate_${o.replicate}`);
  const resultFile = path.join(dir, 'result.json');
  claimReplicate(dir, { seed: o.seed, data: fingerprint }, 'use another --replicate for a new seed or data');
  if (fs.existsSync(resultFile)) return { ...readJson(resultFile, trainResult), reused: true, dir };
  const lock = await acquireLock(dir);
  removeStaleTempFiles(dir);
  const index = openIndex(o.root);
  const id = `${exp.name}/replicate_${o.replicate}`;
  const indexRun = (status: string) =>
    index.upsertRun({
      id,
      kind: 'train',
      model: h.model.model,
      dir,
      hparams: { ...flatten(h), replicate: o.replicate, seed: o.seed },
      status,
    });
  const progress = progressFile(dir);
  try {
    indexRun('running');
    initializeModel(model, o.seed, h.model.init, h.model.biasInit);
    const total = planTraining(h, data.train.size, o.seed).endStep;
    const outcome = await trainRun({
      model,
      masks: null,
      start: model.stateDict(),
      startStep: 0,
      hparams: h,
      seed: o.seed,
      data,
      loss,
      evalBatchSize,
      dir,
      checkpointEvery: o.checkpointEvery,
      kernels: o.kernels ?? 'auto',
      beforeWrite: () => lock.assertHeld(),
      callbacks: [
        onEveryStep((s) => {
          progress.report(s.step, total, `loss ${s.loss.toFixed(4)}`);
          o.onStep?.(s.step, total, s.loss);
        }),
      ],
      meta: { kind: 'train', seed: o.seed },
      signal: o.signal,
    });
    lock.assertHeld();
    saveTensors(path.join(dir, 'final.safetensors'), model, model.stateDict(), { kind: 'final', seed: o.seed });
    const last = outcome.curve[outcome.curve.length - 1]!;
    const rate = outcome.seconds > 0 ? (outcome.steps * h.dataset.batchSize) / outcome.seconds : 0;
    const language = model.objective === 'next-token' || model.objective === 'masked-token';
    const result = trainResult.parse({
      run: exp.name,
      replicate: o.replicate,
      model: h.model.model,
      dataset: model.dataset,
      seed: o.seed,
      steps: outcome.steps,
      test_accuracy: outcome.finalTestAccuracy,
      test_loss: outcome.finalTestLoss,
      best_test_accuracy: outcome.bestTestAccuracy,
      early_stop_step: outcome.earlyStopStep,
      early_stop_test_accuracy: outcome.earlyStopTestAccuracy,
      train_loss: last.train_loss,
      seconds: outcome.seconds,
      examples_per_second: rate,
      ...(language
        ? { tokens_per_second: rate * h.dataset.seqLen, test_perplexity: Math.exp(outcome.finalTestLoss) }
        : {}),
      curve: outcome.curve,
    });
    writeFileAtomic(resultFile, JSON.stringify(result) + '\n');
    fs.rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
    index.upsertLevel({
      runId: id,
      level: 0,
      density: 1,
      testAccuracy: result.test_accuracy,
      bestTestAccuracy: result.best_test_accuracy,
      earlyStopStep: result.early_stop_step,
    });
    indexRun('done');
    return { ...result, reused: false, dir };
  } catch (e) {
    indexRun(e instanceof InterruptedError ? 'interrupted' : 'failed');
    throw e;
  } finally {
    progress.finish();
    index.close();
    await lock.release();
  }
}
