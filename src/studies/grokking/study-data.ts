// The committed data behind docs/results/grokking.md: `docs/results/grokking/results.jsonl`, one JSON object a
// line, each with a `kind`:
//   study    (first line) the grid, the settings the page states and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   run      one finished configuration: t_mem, t_gen, final accuracies, epochs, time, density, and its curve
//            thinned to about CURVE_POINTS points spaced evenly on a log epoch axis (the figures' axis)
// Collected from the run root; the page is rendered from this file alone.
import path from 'node:path';
import { z } from 'zod';
import { readSessions, type SessionRecord } from '../../report/runtime.js';
import { experimentDir } from '../../store/experiment-dir.js';
import { formatDataLines, readDataLines } from '../data-lines.js';
import type { GrokPoint } from './curve.js';
import { configSettings, gridConfigs, runName, storedResult, type GrokGrid } from './grid.js';
import { grokIdentity } from './run.js';
import { EVAL_EVERY, GROK_DEFAULTS, REACHED } from './settings.js';

export const CURVE_POINTS = 120;

const studyLine = z.object({
  kind: z.literal('study'),
  study: z.literal('grokking'),
  seeds: z.number().int().min(1),
  p: z.number().int().min(3),
  train_fraction: z.number(),
  lr: z.number(),
  epochs: z.number().int(),
  patience: z.number().int(),
  keep: z.number(),
  weight_decay: z.number(),
  eval_every: z.number().int(),
  reached: z.number(),
  mlp_only: z.boolean(),
  command: z.string(),
});

const runLine = z.object({
  kind: z.literal('run'),
  model: z.string(),
  /** The run's name in the store: the control, with _keep<k> / _wd<w> where those differ. */
  run: z.string(),
  seed: z.number().int(),
  control: z.string(),
  t_mem: z.number().int().nullable(),
  t_gen: z.number().int().nullable(),
  final_train_accuracy: z.number(),
  final_test_accuracy: z.number(),
  epochs: z.number().int(),
  seconds: z.number(),
  density: z.number(),
  curve: z.array(
    z.object({ epoch: z.number(), train_accuracy: z.number(), test_accuracy: z.number(), weight_norm: z.number() }),
  ),
});

export type StudyLine = z.infer<typeof studyLine>;
export type RunLine = z.infer<typeof runLine>;

export interface GrokData {
  study: StudyLine;
  sessions: SessionRecord[];
  runs: RunLine[];
}

/** The grid a study line describes (without a run root: for naming runs, not finding them). */
export function gridOfStudy(s: StudyLine): GrokGrid {
  return {
    seeds: s.seeds,
    p: s.p,
    trainFraction: s.train_fraction,
    lr: s.lr,
    epochs: s.epochs,
    mlpOnly: s.mlp_only,
    root: '',
  };
}

/** Sessions are kept beside the MLP experiment of the grid. */
export function sessionsFile(g: GrokGrid): string {
  const s = configSettings(g, gridConfigs(g)[0]!);
  return path.join(experimentDir(g.root, 'grok', grokIdentity(s)).dir, 'repro-grokking-sessions.jsonl');
}

/** About CURVE_POINTS points evenly spaced in log(epoch), always with the first and last points. */
export function thinLog(curve: readonly GrokPoint[]): GrokPoint[] {
  const last = curve[curve.length - 1]?.epoch ?? 0;
  if (curve.length <= CURVE_POINTS || last <= EVAL_EVERY) return [...curve];
  const step = Math.log(last / EVAL_EVERY) / CURVE_POINTS;
  let next = 0;
  return curve.filter((p, i) => {
    if (i === 0 || i === curve.length - 1) return true;
    if (p.epoch < EVAL_EVERY || Math.log(p.epoch / EVAL_EVERY) < next) return false;
    next = Math.log(p.epoch / EVAL_EVERY) + step;
    return true;
  });
}

export function collectGrokData(g: GrokGrid, command: string): GrokData {
  const study: StudyLine = {
    kind: 'study',
    study: 'grokking',
    seeds: g.seeds,
    p: g.p,
    train_fraction: g.trainFraction,
    lr: g.lr,
    epochs: g.epochs,
    patience: GROK_DEFAULTS.patience,
    keep: GROK_DEFAULTS.keep,
    weight_decay: GROK_DEFAULTS.weightDecay,
    eval_every: EVAL_EVERY,
    reached: REACHED,
    mlp_only: g.mlpOnly ?? false,
    command,
  };
  const runs: RunLine[] = [];
  for (const c of gridConfigs(g)) {
    const r = storedResult(g, c);
    if (!r) continue;
    runs.push({
      kind: 'run',
      model: r.model,
      run: runName(g, c),
      seed: r.seed,
      control: r.control,
      t_mem: r.t_mem,
      t_gen: r.t_gen,
      final_train_accuracy: r.final_train_accuracy,
      final_test_accuracy: r.final_test_accuracy,
      epochs: r.epochs,
      seconds: r.seconds,
      density: r.density,
      curve: thinLog(r.curve).map(({ epoch, train_accuracy, test_accuracy, weight_norm }) => ({
        epoch,
        train_accuracy,
        test_accuracy,
        weight_norm,
      })),
    });
  }
  return { study, sessions: readSessions(sessionsFile(g)), runs };
}

export function formatGrokData(d: GrokData): string {
  return formatDataLines(d.study, d.sessions, d.runs);
}

export function parseGrokData(text: string): GrokData {
  const lines = readDataLines(text, 'grokking');
  return { study: lines.checkedStudy(studyLine), sessions: lines.sessions, runs: lines.ofKind('run', runLine) };
}
