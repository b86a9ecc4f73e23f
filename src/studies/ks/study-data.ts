// The committed data behind docs/results/ks-lottery.md: `docs/results/ks-lottery/results.jsonl`, one JSON object a
// line, each with a `kind`:
//   study    (first line) the settings the page states, the seeds and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   seed     one seed: the KS ticket (critical values, how many rows each rule selects, the selected tokens) and
//            the target-language scores of every model (base, full tuning, partial tuning and transfer)
import { z } from 'zod';
import type { SessionRecord } from '../../report/runtime.js';
import { DataError } from '../../util/errors.js';
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
  return [d.study, ...d.sessions.map((s) => ({ kind: 'session', ...s })), ...d.seeds]
    .map((l) => JSON.stringify(l))
    .join('\n')
    .concat('\n');
}

export function parseKsData(text: string): KsData {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as { kind?: string };
      } catch {
        throw new DataError(`ks-lottery data line ${i + 1} is not JSON`);
      }
    });
  const checked = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    throw new DataError(`ks-lottery data: a ${what} line has ${issue.path.join('.') || 'a value'}: ${issue.message}`);
  };
  if (lines[0]?.kind !== 'study') throw new DataError('ks-lottery data: the first line must be the study line');
  const study = checked(studyLine, lines[0], 'study');
  const sessions = lines
    .filter((l) => l.kind === 'session')
    .map((l) => {
      const { kind: _kind, ...s } = l as { kind: string } & SessionRecord;
      return s as SessionRecord;
    });
  const seeds = lines.filter((l) => l.kind === 'seed').map((l) => checked(seedLine, l, 'seed'));
  return { study, sessions, seeds };
}
