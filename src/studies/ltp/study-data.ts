// The committed data behind docs/results/ltp.md: `docs/results/ltp/results.jsonl`, one JSON object a line, each with
// a `kind`:
//   study    (first line) the settings the page states, the seeds and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   seed     one seed: the LTP ticket's kept fractions per tensor, and each method's accuracy per language
import { z } from 'zod';
import type { SessionRecord } from '../../report/runtime.js';
import { formatDataLines, readDataLines } from '../data-lines.js';
import { LTP_METHODS, type LtpStudySettings } from './settings.js';

const studyLine = z.object({
  kind: z.literal('study'),
  study: z.literal('ltp'),
  seeds: z.number().int().min(1),
  settings: z.object({
    model: z.string(),
    languages: z.array(z.string()).min(2),
    window: z.number().int(),
    promptLength: z.number().int(),
    batchSize: z.number().int(),
    pretrainSteps: z.number().int(),
    pretrainLr: z.number(),
    mlmSteps: z.number().int(),
    mlmLr: z.number(),
    taskSteps: z.number().int(),
    taskLr: z.number(),
    keep: z.number(),
  }),
  /** Per language, the share of passages from its most common article: what always answering it scores. */
  majority: z.record(z.string(), z.number()),
  command: z.string(),
});

export const methodResult = z.object({
  method: z.enum(LTP_METHODS),
  /** Parameters that moved on the task: prompt and head included. */
  trainable: z.number().int(),
  /** Accuracy on every language's article passages (the first language's are the training passages). */
  accuracy: z.record(z.string(), z.number()),
  seconds: z.number(),
});

const seedLine = z.object({
  kind: z.literal('seed'),
  seed: z.number().int(),
  pretrain_seconds: z.number(),
  ticket: z.object({
    kept: z.number().int(),
    total: z.number().int(),
    tensors: z.array(z.object({ name: z.string(), kept: z.number().int(), total: z.number().int() })),
  }),
  results: z.array(methodResult),
});

export type LtpStudyLine = z.infer<typeof studyLine>;
export type LtpSeedLine = z.infer<typeof seedLine>;
export type MethodResult = z.infer<typeof methodResult>;

export interface LtpData {
  study: LtpStudyLine;
  sessions: SessionRecord[];
  seeds: LtpSeedLine[];
}

export function studyLineOf(
  s: LtpStudySettings,
  seeds: number,
  command: string,
  majority: Record<string, number>,
): LtpStudyLine {
  const { seed: _seed, ...settings } = s;
  return { kind: 'study', study: 'ltp', seeds, settings, majority, command };
}

export function formatLtpData(d: LtpData): string {
  return formatDataLines(d.study, d.sessions, d.seeds);
}

export function parseLtpData(text: string): LtpData {
  const lines = readDataLines(text, 'ltp');
  return { study: lines.checkedStudy(studyLine), sessions: lines.sessions, seeds: lines.ofKind('seed', seedLine) };
}
