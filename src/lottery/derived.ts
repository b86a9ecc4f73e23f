// A branch made from one finished level of a lottery run by a command rather than by the runner: a signed ticket, an
// attacked one, a locked one. It lives beside the run's own branches (level_<L>/<name>/) with the same files (mask,
// final weights, result.json), so `verify`, `export` and `report` read it like any other, plus derived.json: what
// made it and from which branch. It is either trained (from the rewind point, or further from trained weights) or
// only evaluated (an edit of the mask of trained weights). The same command run again finds it and changes nothing;
// a different one under the same name is refused. The source level is never written.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PruningHparams, TrainingHparams } from '../hparams/groups.js';
import { flatten } from '../hparams/diff.js';
import type { Model } from '../models/model.js';
import { applyMasks, layerDensities, totalDensity, type Masks } from '../pruning/masks.js';
import { writeFileAtomic } from '../store/atomic.js';
import { openIndex } from '../store/index-db.js';
import { readJson } from '../store/json.js';
import { acquireLock } from '../store/lock.js';
import { checkReplicate, readReplicate } from '../store/replicate.js';
import { removeStaleTempFiles } from '../store/stale-temp.js';
import { loadMasks, loadTensors, saveMasks, saveTensors, type Weights } from '../store/weights.js';
import { evaluate } from '../training/evaluate.js';
import { iterations, planTraining } from '../training/plan.js';
import { prepareRun, type PreparedRun } from '../training/run-data.js';
import { trainRun, CHECKPOINT_FILE } from '../training/run.js';
import type { MixIn } from '../training/step.js';
import { onEveryStep } from '../training/callbacks.js';
import { ConfigError, UserError } from '../util/errors.js';
import { LotteryExperiment } from './experiment.js';
import { FILES, runId, TRUNK } from './layout.js';
import { BRANCH_NAMES } from './branches/registry.js';
import type { LevelRecord } from './record.js';

export const DERIVED_FILE = 'derived.json';

const provenanceSchema = z.object({
  kind: z.string(),
  from: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export type Provenance = z.infer<typeof provenanceSchema>;

export interface SourceLevel {
  model: Model;
  /** The source branch's mask and trained weights (final ⊙ mask). */
  masks: Masks;
  final: Weights;
  /** Where the run's levels start: θ0, or θk when the run rewinds to k > 0, and k. */
  rewind: { weights: Weights; step: number };
  /** The run's training hyperparameters and its iterations per epoch. */
  training: TrainingHparams;
  pruning: PruningHparams;
  iterationsPerEpoch: number;
  prepared: PreparedRun;
  /** Seed for this branch's own randomness (independent of the run's streams). */
  seed: number;
  /** The replicate's seed: data order and augmentation, as the run trained with. */
  replicateSeed: number;
}

/** What the branch is: its mask, where it starts, and whether and how it trains. */
export interface DerivedPlan {
  masks: Masks;
  start: Weights;
  /** Train from `startStep` to `training.steps`; without it the branch is only evaluated (start ⊙ masks). */
  train?: { training: TrainingHparams; startStep: number; mixIn?: MixIn; dense?: boolean };
  /** After training: the masks to keep from the trained weights (fine-tuning attacks re-sparsify). */
  reprune?: (trained: Weights) => Masks;
  /** Extra files written into the branch directory (e.g. a trigger set or a key) before training. */
  files?: (dir: string) => void;
}

export interface DerivedSpec {
  run: string;
  root: string;
  replicate: number;
  level: number;
  from: string;
  name: string;
  provenance: Omit<Provenance, 'from'>;
  dataDir?: string;
  checkpointEvery?: number;
  signal?: AbortSignal;
  onStep?: (done: number, total: number, info: string) => void;
  plan(source: SourceLevel): DerivedPlan | Promise<DerivedPlan>;
}

export interface DerivedResult {
  record: LevelRecord;
  dir: string;
  experiment: LotteryExperiment;
  reused: boolean;
}

const BRANCH = /^[a-z0-9_]+$/;

export async function runDerived(spec: DerivedSpec): Promise<DerivedResult> {
  if (!BRANCH.test(spec.name))
    throw new ConfigError(`'${spec.name}' is not a branch name (lower-case letters, digits and _ only)`);
  if (spec.name === spec.from)
    throw new ConfigError(`the new branch needs a name other than its source '${spec.from}'`);
  if (spec.name === TRUNK || BRANCH_NAMES.includes(spec.name) || spec.name.startsWith('retrain_'))
    throw new ConfigError(`'${spec.name}' is the name of one of the run's own branches: choose another`);
  const exp = LotteryExperiment.open(spec.run, spec.root);
  const source = exp.record(spec.replicate, spec.level, spec.from);
  if (!source) {
    const finished = exp.finishedLevels(spec.replicate, spec.from);
    throw new UserError(
      `${exp.name} replicate ${spec.replicate} has no finished level ${spec.level} on branch '${spec.from}'` +
        ` (finished levels of that branch: ${finished.join(', ') || 'none'})`,
    );
  }
  const provenance: Provenance = { ...spec.provenance, from: spec.from };
  const dir = exp.levelDir(spec.replicate, spec.level, spec.name);
  const stored = storedDerived(exp, spec, dir, provenance);
  if (stored) return { record: stored, dir, experiment: exp, reused: true };

  const repDir = exp.replicateDir(spec.replicate);
  // The branch's own directory is locked, not the replicate's: the run may go on training later levels meanwhile
  // (it never writes a derived branch, whose name is none of the runner's).
  fs.mkdirSync(dir, { recursive: true });
  const lock = await acquireLock(dir);
  const index = openIndex(spec.root);
  try {
    removeStaleTempFiles(dir);
    const prepared = await prepareRun(exp.hparams.model.model, exp.hparams.dataset, spec.dataDir);
    const seed = readReplicate(repDir).seed;
    checkReplicate(repDir, { seed, data: prepared.fingerprint }, 'point --data-dir at the data the run used');
    const src = sourceLevel(exp, spec, prepared, seed);
    const plan = await spec.plan(src);
    writeFileAtomic(path.join(dir, DERIVED_FILE), JSON.stringify(provenance) + '\n');
    plan.files?.(dir);
    const record = await buildLevel(exp, spec, dir, src, plan, () => lock.assertHeld());
    index.upsertRun({
      id: runId(exp.hash, spec.replicate, spec.name),
      kind: 'lottery',
      model: exp.hparams.model.model,
      dir: repDir,
      hparams: { ...flatten(exp.hparams), replicate: spec.replicate, seed, branch: spec.name, derived: provenance },
      status: 'done',
    });
    index.upsertLevel({
      runId: runId(exp.hash, spec.replicate, spec.name),
      level: spec.level,
      density: record.density,
      testAccuracy: record.test_accuracy,
      bestTestAccuracy: record.best_test_accuracy,
      earlyStopStep: record.early_stop_step,
      layerDensity: record.layer_density,
      data: { derived: provenance, dir },
    });
    return { record, dir, experiment: exp, reused: false };
  } finally {
    index.close();
    await lock.release();
  }
}

/** The branch's record when it is finished; an error when the name holds another derivation. */
function storedDerived(exp: LotteryExperiment, spec: DerivedSpec, dir: string, want: Provenance): LevelRecord | null {
  const file = path.join(dir, DERIVED_FILE);
  if (!fs.existsSync(dir)) return null;
  if (!fs.existsSync(file)) {
    if (!fs.existsSync(path.join(dir, FILES.result))) return null; // an earlier attempt stopped before it began
    throw new ConfigError(`branch '${spec.name}' already exists at level ${spec.level}: choose another name`);
  }
  const have = readJson(file, provenanceSchema);
  const key = (p: Provenance) => JSON.stringify([p.kind, p.from, p.params]);
  if (key(have) !== key(want))
    throw new ConfigError(
      `branch '${spec.name}' at level ${spec.level} was made by another command (${have.kind} from '${have.from}'` +
        ` with ${JSON.stringify(have.params)}): choose another name`,
    );
  return exp.record(spec.replicate, spec.level, spec.name);
}

function sourceLevel(exp: LotteryExperiment, spec: DerivedSpec, prepared: PreparedRun, seed: number): SourceLevel {
  const { model } = prepared;
  const repDir = exp.replicateDir(spec.replicate);
  const srcDir = exp.levelDir(spec.replicate, spec.level, spec.from);
  const masks = loadMasks(path.join(srcDir, FILES.mask), model);
  const final = loadTensors(path.join(srcDir, FILES.final)).values;
  const h = exp.hparams;
  const ipe = planTraining(h, prepared.data.train.size, seed).iterationsPerEpoch;
  const rewindStep = iterations(h.pruning.rewind, ipe, '--rewind');
  const rewindFile = path.join(repDir, rewindStep > 0 ? FILES.rewind : FILES.theta0);
  return {
    model,
    masks,
    final,
    rewind: { weights: loadTensors(rewindFile).values, step: rewindStep },
    training: h.training,
    pruning: h.pruning,
    iterationsPerEpoch: ipe,
    prepared,
    seed: derivedSeed(seed, spec.name, spec.level),
    replicateSeed: seed,
  };
}

function derivedSeed(seed: number, name: string, level: number): number {
  let h = 2166136261 ^ seed;
  for (const c of `${name}/${level}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

async function buildLevel(
  exp: LotteryExperiment,
  spec: DerivedSpec,
  dir: string,
  src: SourceLevel,
  plan: DerivedPlan,
  assertHeld: () => void,
): Promise<LevelRecord> {
  const { model, prepared } = src;
  for (const [, p] of model.prunableParameters()) p.setMask(null);
  const meta = { level: spec.level, branch: spec.name, seed: src.replicateSeed, density: totalDensity(plan.masks) };
  let masks = plan.masks;
  let trained: Awaited<ReturnType<typeof trainRun>> | null = null;
  if (plan.train) {
    const t = plan.train;
    const total = iterations(t.training.steps, src.iterationsPerEpoch) - t.startStep;
    if (total <= 0)
      throw new ConfigError(`the branch would train ${total} steps: its training must end after step ${t.startStep}`);
    trained = await trainRun({
      model,
      masks: t.dense ? null : masks,
      start: plan.start, // loading under the masks zeroes the pruned weights
      startStep: t.startStep,
      hparams: { dataset: exp.hparams.dataset, training: t.training },
      seed: src.replicateSeed,
      data: prepared.data,
      loss: prepared.loss,
      evalBatchSize: prepared.evalBatchSize,
      dir,
      checkpointEvery: spec.checkpointEvery ?? 1000,
      kernels: 'auto',
      beforeWrite: assertHeld,
      mixIn: t.mixIn,
      callbacks: [onEveryStep((s) => spec.onStep?.(s.step - t.startStep, total, spec.name))],
      meta,
      signal: spec.signal,
    });
  } else {
    model.loadStateDict(plan.start);
  }
  if (plan.reprune) {
    for (const [, p] of model.prunableParameters()) p.setMask(null);
    masks = plan.reprune(model.stateDict());
  }
  applyMasks(model, masks);
  const test = evaluate(model, prepared.data.test, prepared.loss, prepared.evalBatchSize);
  const accuracy = test.accuracy ?? 0;
  assertHeld();
  saveMasks(path.join(dir, FILES.mask), model, masks, { ...meta, density: totalDensity(masks) });
  saveTensors(path.join(dir, FILES.final), model, model.stateDict(), { kind: 'final', ...meta });
  const curve = trained
    ? trained.curve
    : [
        {
          step: 0,
          train_loss: null,
          val_loss: null,
          val_accuracy: null,
          test_loss: test.loss,
          test_accuracy: accuracy,
        },
      ];
  const record: LevelRecord = {
    experiment: exp.name,
    replicate: spec.replicate,
    branch: spec.name,
    level: spec.level,
    density: totalDensity(masks),
    layer_density: layerDensities(masks),
    test_accuracy: accuracy,
    // After re-pruning, the curve is of the model before it: only the final accuracy describes this ticket.
    best_test_accuracy: trained && !plan.reprune ? (trained.bestTestAccuracy ?? accuracy) : accuracy,
    early_stop_step: trained && !plan.reprune ? trained.earlyStopStep : 0,
    early_stop_test_accuracy: trained && !plan.reprune ? (trained.earlyStopTestAccuracy ?? accuracy) : accuracy,
    steps: trained?.steps ?? 0,
    seconds: trained?.seconds ?? 0,
    reused: false,
    dir,
    kernels: trained?.kernels ?? [],
    curve: curve.map((p) => ({ ...p, test_accuracy: p.test_accuracy ?? accuracy })),
  };
  writeFileAtomic(path.join(dir, FILES.result), JSON.stringify(record) + '\n');
  fs.rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
  return record;
}
