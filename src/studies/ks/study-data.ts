// The committed data behind docs/results/ks-lottery.md: `docs/results/ks-lottery/results.jsonl`, one JSON object a
// line, each with a `kind`:
//   study    (first line) the settings the page states, the seeds and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   seed     one seed: the KS ticket (critical values, how many rows each rule selects, the selected tokens) and
//            the target-language scores of every model (base, full tuning, partial tuning and transfer)
import { z } from 'zod';
import type { SessionRecord } from '../../report/runtime.js';
import { formatDataLines, readDataLines } from '../data-lines.js';
import type { KsStudySettings } from './settings.js';
import type { KsSeedResult } from './run.js';

const studyLine = z.object({
  kind: z.literal('study'),
  study: z.literal('ks-lottery'),
  seeds: z.number().int().min(1),
  settings: z.object({
    model: z.string(),
    source: z.string(),
    target: z.string(),
    seqLen: z.number().int(),
    batchSize: z.number().int(),
    pretrainSteps: z.number().int(),
    pretrainLr: z.number(),
    tuneSteps: z.number().int(),
    tuneLr: z.number(),
    budgets: z.array(z.number().int()),
    alpha: z.number(),
  }),
  command: z.string(),
});

const score = z.object({
  name: z.string(),
  method: z.enum(['base', 'full', 'ks', 'frequent', 'random']),
  how: z.enum(['tune', 'transfer', 'none']),
  rows: z.number().int(),
  loss: z.number(),
  loss_no_stop: z.number(),
  chrf: z.number(),
  chrf_first_line: z.number(),
  prompts: z.number().int(),
  seconds: z.number(),
});

const seedLine = z.object({
  kind: z.literal('seed'),
  seed: z.number().int(),
  pretrain_seconds: z.number(),
  ticket: z.object({
    dim: z.number().int(),
    critical_value: z.number(),
    critical_value_approx: z.number(),
    counts: z.object({ none: z.number().int(), holm: z.number().int(), bh: z.number().int() }),
    selected: z.array(
      z.object({ row: z.number().int(), token: z.string(), statistic: z.number(), p_value: z.number() }),
    ),
  }),
  scores: z.array(score),
  certificate: z.array(
    z.object({
      sigma_fraction: z.number(),
      sigma: z.number(),
      leftOutNorm: z.number(),
      predictions: z.number().int(),
      certified: z.number(),
      abstained: z.number(),
      medianRadius: z.number(),
    }),
  ),
});

export type KsStudyLine = z.infer<typeof studyLine>;
export type KsSeedLine = z.infer<typeof seedLine>;
export type KsScore = z.infer<typeof score>;

export interface KsData {
  study: KsStudyLine;
  sessions: SessionRecord[];
  seeds: KsSeedLine[];
}

export function studyLineOf(s: KsStudySettings, seeds: number, command: string): KsStudyLine {
  const { seed: _seed, ...settings } = s;
  return { kind: 'study', study: 'ks-lottery', seeds, settings, command };
}

export function seedLineOf(r: KsSeedResult): KsSeedLine {
  const { statistics: _all, ...ticket } = r.ticket;
  return {
    kind: 'seed',
    seed: r.seed,
    pretrain_seconds: r.pretrainSeconds,
    ticket,
    scores: r.scores,
    certificate: r.certificate,
  };
}

export function formatKsData(d: KsData): string {
  return formatDataLines(d.study, d.sessions, d.seeds);
}

export function parseKsData(text: string): KsData {
  const lines = readDataLines(text, 'ks-lottery');
  return { study: lines.checkedStudy(studyLine), sessions: lines.sessions, seeds: lines.ofKind('seed', seedLine) };
}
