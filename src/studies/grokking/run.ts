// One run of the grokking study, stored and resumable like a lottery level:
//   <root>/grok_<hash>/               hparams.json: the non-default settings that name the experiment
//     seed_<s>/                       replicate.json (seed, data fingerprint), theta0.safetensors
//       dense/                        the base: result.json (curve, t_mem, t_gen), final.safetensors, snapshots/
//       ticket/, random/, l1/, …      one directory per control (with _keep<k> / _wd<w> when those differ)
// A control that needs the base finds it, or trains it first. Every run trains full batch (one AdamW step per
// epoch) through the shared training loop, with a checkpoint to resume from and the lock of its directory.
import fs from 'node:fs';
import path from 'node:path';
import { modularAddition } from '../../data/modular.js';
import { createModel } from '../../models/registry.js';
import type { Model } from '../../models/model.js';
import { nonDefaults } from '../../hparams/diff.js';
import { trainDefaults } from '../../hparams/defaults.js';
import { buildOptimizer } from '../../nn/optim/build.js';
import { initializeModel } from '../../nn/reset.js';
import { applyMasks, totalDensity } from '../../pruning/masks.js';
import { createExperimentDir } from '../../store/experiment-dir.js';
import { claimReplicate, dataFingerprint } from '../../store/replicate.js';
import { acquireLock } from '../../store/lock.js';
import { removeStaleTempFiles } from '../../store/stale-temp.js';
import { loadTensors, saveMasks, saveTensors, type Weights } from '../../store/weights.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { onEveryStep } from '../../training/callbacks.js';
import { trainLoop, type Callback } from '../../training/loop.js';
import { planTraining } from '../../training/plan.js';
import { lossFor } from '../../training/run-data.js';
import { ConfigError } from '../../util/errors.js';
import { controlStart } from './controls.js';
import { GrokCurve } from './curve.js';
import { grokResult, storedGrokResult, type GrokResult } from './record.js';
import {
  BASE_WEIGHT_DECAY,
  controlName,
  EVAL_EVERY,
  GROK_DEFAULTS,
  SNAPSHOT_EVERY,
  validateSettings,
  type GrokSettings,
} from './settings.js';

export interface GrokRunOptions {
  settings: GrokSettings;
  root: string;
  /** Save a checkpoint every this many epochs. */
  checkpointEvery: number;
  signal?: AbortSignal;
  /** Progress: epochs done of the run being trained, and what it is. */
  onEpoch?: (epoch: number, total: number, what: string) => void;
}

const CHECKPOINT = 'checkpoint.safetensors';

/** The directory name of a control's run: the control, and its keep / weight decay where they differ. */
export function runDirName(s: GrokSettings): string {
  const c = s.control;
  let name = c.kind === 'checkpoint' ? `checkpoint_${c.epoch}` : c.kind;
  if (c.kind !== 'dense' && s.keep !== GROK_DEFAULTS.keep) name += `_keep${s.keep}`;
  if (s.weightDecay !== BASE_WEIGHT_DECAY) name += `_wd${s.weightDecay}`;
  return name;
}

/** What names the experiment: the model and every setting that changes a run, where it differs from the default. */
export function grokIdentity(s: GrokSettings): Record<string, unknown> {
  const { model, trainFraction, lr, epochs, patience } = s;
  const d = GROK_DEFAULTS;
  return {
    model,
    ...nonDefaults({ trainFraction, lr, epochs, patience }, { ...d }),
  };
}

interface Context {
  o: GrokRunOptions;
  model: Model;
  data: ReturnType<typeof modularAddition>;
  seedDir: string;
  expName: string;
  theta0: Weights;
}

export async function runGrok(o: GrokRunOptions): Promise<GrokResult> {
  const s = o.settings;
  validateSettings(s);
  const model = createModel(s.model);
  const data = modularAddition(s.p, s.trainFraction, s.seed);
  const exp = createExperimentDir(o.root, 'grok', grokIdentity(s), {
    settings: { ...s, control: undefined, seed: undefined },
  });
  const seedDir = path.join(exp.dir, `seed_${s.seed}`);
  const fingerprint = dataFingerprint([data.train.x, data.train.y, data.test.x, data.test.y]);
  claimReplicate(seedDir, { seed: s.seed, data: fingerprint }, 'move the directory away');
  const ctx: Context = { o, model, data, seedDir, expName: exp.name, theta0: theta0Of(model, seedDir, s.seed) };
  return runControl(ctx, s);
}

/** The seed's initial weights: stored once, so every control of the seed starts from the same θ0. */
function theta0Of(model: Model, seedDir: string, seed: number): Weights {
  const file = path.join(seedDir, 'theta0.safetensors');
  if (fs.existsSync(file)) return loadTensors(file).values;
  initializeModel(model, seed, model.defaultInit);
  const w = model.stateDict();
  saveTensors(file, model, w, { kind: 'theta0', seed });
  return w;
}

async function runControl(ctx: Context, s: GrokSettings): Promise<GrokResult> {
  const dir = path.join(ctx.seedDir, runDirName(s));
  const stored = storedGrokResult(dir);
  if (stored) return stored;
  const needsBase = s.control.kind !== 'dense';
  const base = needsBase
    ? await runControl(ctx, { ...s, control: { kind: 'dense' }, weightDecay: BASE_WEIGHT_DECAY })
    : null;
  if (base && s.control.kind !== 'checkpoint' && base.t_gen === null)
    throw new ConfigError(
      `the dense base of seed ${s.seed} did not generalize within ${base.epochs} epochs, so it has no grokking ticket (raise --epochs)`,
    );
  const baseDir = base
    ? path.join(ctx.seedDir, runDirName({ ...s, control: { kind: 'dense' }, weightDecay: BASE_WEIGHT_DECAY }))
    : '';
  const { start, masks } = controlStart(s.control, {
    model: ctx.model,
    theta0: ctx.theta0,
    baseFinal: base ? loadTensors(path.join(baseDir, 'final.safetensors')).values : ctx.theta0,
    baseAt: s.control.kind === 'checkpoint' ? snapshot(baseDir, s.control.epoch!) : undefined,
    train: ctx.data.train,
    loss: lossFor(ctx.model.objective),
    keep: s.keep,
    seed: s.seed,
  });
  const lock = await acquireLock(dir);
  try {
    removeStaleTempFiles(dir);
    return await train(ctx, s, dir, start, masks, () => lock.assertHeld());
  } finally {
    await lock.release();
  }
}

function snapshot(baseDir: string, epoch: number): Weights {
  const file = path.join(baseDir, 'snapshots', `epoch_${epoch}.safetensors`);
  if (fs.existsSync(file)) return loadTensors(file).values;
  const kept = fs.existsSync(path.dirname(file))
    ? fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.safetensors'))
    : [];
  const epochs = kept
    .map((f) => Number(/^epoch_(\d+)\./.exec(f)?.[1]))
    .filter((e) => e > 0)
    .sort((a, b) => a - b);
  throw new ConfigError(
    `the dense base never reached epoch ${epoch}, so it kept no weights there (it kept ${epochs.length ? `epochs ${epochs.join(', ')}` : 'none'})`,
  );
}

async function train(
  ctx: Context,
  s: GrokSettings,
  dir: string,
  start: Weights,
  masks: ReturnType<typeof controlStart>['masks'],
  assertHeld: () => void,
): Promise<GrokResult> {
  const { model, data } = ctx;
  const loss = lossFor(model.objective);
  for (const [, p] of model.prunableParameters()) p.setMask(null);
  model.loadStateDict(start);
  if (masks) {
    applyMasks(model, masks);
    saveMasks(path.join(dir, 'mask.safetensors'), model, masks, { seed: s.seed, control: controlName(s.control) });
  }
  const training = {
    ...trainDefaults(s.model).training,
    lr: s.lr,
    weightDecay: s.weightDecay,
    steps: `${s.epochs}ep`,
  };
  const plan = planTraining({ dataset: { batchSize: data.train.size }, training }, data.train.size, s.seed);
  const optimizer = buildOptimizer(model.parameters(), training);
  const curve = new GrokCurve({
    model,
    loss,
    train: data.train,
    test: data.test,
    every: EVAL_EVERY,
    patience: s.patience,
    endEpoch: plan.endStep,
  });
  const what = `seed ${s.seed} ${runDirName(s)}`;
  const callbacks: Callback[] = [curve, onEveryStep((e) => ctx.o.onEpoch?.(e.step, plan.endStep, what))];
  const isBase = s.control.kind === 'dense' && s.weightDecay === BASE_WEIGHT_DECAY;
  if (isBase) callbacks.push(snapshots(model, dir, s.seed, assertHeld));
  const outcome = await trainLoop({
    model,
    optimizer,
    data: data.train,
    sampler: plan.sampler,
    loss,
    schedule: plan.schedule,
    startStep: 0,
    endStep: plan.endStep,
    callbacks,
    checkpoint: {
      file: path.join(dir, CHECKPOINT),
      every: ctx.o.checkpointEvery,
      meta: { kind: 'grok', seed: s.seed, control: controlName(s.control) },
      beforeWrite: assertHeld,
      range: { start: 0, end: plan.endStep },
    },
    signal: ctx.o.signal,
  });
  assertHeld();
  saveTensors(path.join(dir, 'final.safetensors'), model, model.stateDict(), { kind: 'final', seed: s.seed });
  const last = curve.points[curve.points.length - 1]!;
  const result = grokResult.parse({
    run: ctx.expName,
    control: controlName(s.control),
    model: s.model,
    seed: s.seed,
    t_mem: curve.tMem,
    t_gen: curve.tGen,
    final_train_accuracy: last.train_accuracy,
    final_test_accuracy: last.test_accuracy,
    epochs: outcome.stoppedAt,
    seconds: outcome.seconds,
    density: masks ? totalDensity(masks) : 1,
    weight_decay: s.weightDecay,
    keep: s.control.kind === 'dense' ? null : s.keep,
    curve: curve.points,
  });
  writeFileAtomic(path.join(dir, 'result.json'), JSON.stringify(result) + '\n');
  fs.rmSync(path.join(dir, CHECKPOINT), { force: true });
  return { ...result, reused: false, dir };
}

/** The base keeps its weights every SNAPSHOT_EVERY epochs: the checkpoint control's masks come from them. */
function snapshots(model: Model, dir: string, seed: number, assertHeld: () => void): Callback {
  return onEveryStep((e) => {
    if (e.step % SNAPSHOT_EVERY !== 0) return;
    assertHeld();
    fs.mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    const file = path.join(dir, 'snapshots', `epoch_${e.step}.safetensors`);
    saveTensors(file, model, model.stateDict(), { kind: 'snapshot', seed, epoch: e.step });
  });
}
