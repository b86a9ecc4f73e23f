// The committed data behind docs/results/lenet.md: `docs/results/lenet/results.jsonl`, one JSON object a line,
// each with a `kind`:
//   study    (first line) the experiment, the grid, its hyperparameters and the command that ran it
//   session  one run of the script that trained something: machine, wall time, load (src/report/runtime.ts)
//   level    one finished level of one branch and replicate; training curves only for the levels the curves
//            figure draws, thinned to at most CURVE_POINTS points
// Collected from the experiment directory; the page is rendered from this file alone.
import path from 'node:path';
import { collectExperiment } from '../../lottery/collect.js';
import type { LotteryHparams } from '../../hparams/groups.js';
import type { LevelRecord } from '../../lottery/record.js';
import { curveLevels, type LotteryLevel, type LotteryResults } from '../../report/lottery.js';
import { readSessions, type SessionRecord } from '../../report/runtime.js';
import { impliedBiasInit, type InitName } from '../../nn/init.js';
import { DataError } from '../../util/errors.js';
import { MODEL, type LenetGrid } from './grid.js';

export const CURVE_POINTS = 100;

/** The hyperparameters the page states, read once from the experiment's stored hparams. */
export interface LenetHparams {
  optimizer: string;
  lr: number;
  batch_size: number;
  steps: string;
  validation: number;
  eval_every: string;
  strategy: string;
  fc_rate: number;
  output_rate: number;
  init: string;
  bias_init: string;
  rewind: string;
}

export interface StudyRecord {
  kind: 'study';
  study: 'lenet';
  model: string;
  experiment: string;
  replicates: number;
  levels: number;
  branches: string[];
  hparams: LenetHparams;
  /** Hyperparameters that differ from the model's defaults (the paper's), by dotted name. */
  non_default: Record<string, unknown>;
  command: string;
}

export interface LevelLine extends LotteryLevel {
  kind: 'level';
  steps: number;
  seconds: number;
  /** Layers trained on sparse kernels at this level. */
  sparse_layers: number;
}

export interface LenetData {
  study: StudyRecord;
  sessions: SessionRecord[];
  levels: LevelLine[];
}

export const sessionsFile = (experimentDir: string) => path.join(experimentDir, 'repro-lenet-sessions.jsonl');

export function lenetHparamsOf(h: LotteryHparams): LenetHparams {
  return {
    optimizer: h.training.optimizer,
    lr: h.training.lr,
    batch_size: h.dataset.batchSize,
    steps: h.training.steps,
    validation: h.dataset.validation,
    eval_every: h.training.evalEvery,
    strategy: h.pruning.strategy,
    fc_rate: h.pruning.rate,
    output_rate: h.pruning.outputRate,
    init: h.model.init,
    bias_init: h.model.biasInit,
    rewind: h.pruning.rewind,
  };
}

/** Every `stride`-th point and the last, so a curve keeps its shape in at most CURVE_POINTS points. */
export function thinCurve<P>(curve: readonly P[]): P[] {
  const stride = Math.ceil(curve.length / CURVE_POINTS);
  return curve.filter((_, i) => i % stride === 0 || i === curve.length - 1);
}

function levelLine(l: LevelRecord, keepCurve: boolean): LevelLine {
  const {
    replicate,
    branch,
    level,
    density,
    test_accuracy,
    best_test_accuracy,
    early_stop_step,
    early_stop_test_accuracy,
    steps,
    seconds,
  } = l;
  const curve = keepCurve ? thinCurve(l.curve).map((p) => ({ step: p.step, test_accuracy: p.test_accuracy })) : [];
  const sparse_layers = (l.kernels ?? []).filter((k) => k.kernel === 'sparse').length;
  return {
    kind: 'level',
    replicate,
    branch,
    level,
    density,
    test_accuracy,
    best_test_accuracy,
    early_stop_step,
    early_stop_test_accuracy,
    steps,
    seconds,
    sparse_layers,
    curve,
  };
}

/** The grid's levels (replicates 1..N, levels 0..L) from the experiment directory, with its sessions. */
export function collectLenetData(experimentDir: string, g: Omit<LenetGrid, 'root'>, command: string): LenetData {
  const exp = collectExperiment(experimentDir);
  const levels = exp.levels.filter((l) => l.replicate >= 1 && l.replicate <= g.replicates && l.level <= g.levels);
  if (!levels.length) throw new DataError(`no finished levels of this grid in experiment ${exp.name}`);
  const withCurves = new Set(curveLevels(levels));
  const study: StudyRecord = {
    kind: 'study',
    study: 'lenet',
    model: MODEL,
    experiment: exp.name,
    replicates: g.replicates,
    levels: g.levels,
    branches: [...new Set(levels.map((l) => l.branch))],
    hparams: lenetHparamsOf(exp.hparams.hparams as LotteryHparams),
    non_default: Object.fromEntries(Object.entries(exp.hparams.non_default).filter(([k]) => k !== 'model.model')),
    command,
  };
  return {
    study,
    sessions: readSessions(sessionsFile(experimentDir)),
    levels: levels.map((l) => levelLine(l, withCurves.has(l))),
  };
}

/** The data as the lottery report reads experiments (levels without a kept curve carry an empty one). */
export function lotteryResultsOf(d: LenetData): LotteryResults {
  return {
    name: d.study.experiment,
    hparams: { non_default: { 'model.model': d.study.model, ...d.study.non_default } },
    levels: d.levels,
  };
}

export function formatLenetData(d: LenetData): string {
  return (
    [d.study, ...d.sessions.map((s) => ({ kind: 'session', ...s })), ...d.levels]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n'
  );
}

export function parseLenetData(text: string): LenetData {
  let study: StudyRecord | undefined;
  const sessions: SessionRecord[] = [];
  const levels: LevelLine[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { kind?: string };
    if (rec.kind === 'study') study = rec as StudyRecord;
    else if (rec.kind === 'session') {
      const { kind: _kind, ...s } = rec as SessionRecord & { kind: string };
      sessions.push(s);
    } else if (rec.kind === 'level') levels.push(rec as LevelLine);
    else throw new DataError(`lenet results line ${i + 1}: unknown kind '${String(rec.kind)}'`);
  }
  if (!study) throw new DataError('lenet results: no study line');
  // Data collected before --bias-init: its runs had the bias init their weight init implied.
  study.hparams.bias_init ??= impliedBiasInit(study.hparams.init as InitName);
  return { study, sessions, levels };
}
