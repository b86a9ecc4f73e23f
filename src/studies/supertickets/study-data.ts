// The committed data behind docs/results/supertickets.md: `docs/results/supertickets/results.jsonl`, one JSON object a
// line, each with a `kind`:
//   study    (first line) the settings the page states, the seeds and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   seed     one seed: every method at every budget on MNIST, and the runs on Fashion-MNIST
import { z } from 'zod';
import type { SessionRecord } from '../../report/runtime.js';
import { formatDataLines, readDataLines } from '../data-lines.js';
import { METHOD_NAMES, TRANSFER_KINDS, type SuperTicketsStudySettings } from './settings.js';

const studyLine = z.object({
  kind: z.literal('study'),
  study: z.literal('supertickets'),
  seeds: z.array(z.number().int()).min(1),
  settings: z.object({
    budgets: z.array(z.number()),
    epochs: z.number().int(),
    examples: z.number().int(),
    l1: z.number(),
    threshold: z.number(),
    transferBudget: z.number(),
    transferEpochs: z.number().int(),
  }),
  command: z.string(),
});

const studyRun = z.object({
  run: z.string(),
  test_accuracy: z.number().min(0).max(1),
  /** Multiply-accumulates per example at the masks' densities, and of the architecture dense. */
  flops: z.number(),
  dense_flops: z.number(),
  params: z.number().int(),
  density: z.number(),
  channels_cut: z.number().int(),
  /** Expansion channels left in every branch (k3, k5, k7) of every block. */
  branches: z.array(z.array(z.number().int())),
  seconds: z.number(),
});

const seedLine = z.object({
  kind: z.literal('seed'),
  seed: z.number().int(),
  search: z.array(studyRun.extend({ method: z.enum(METHOD_NAMES as [string, ...string[]]), budget: z.number() })),
  transfer: z.array(studyRun.extend({ kind: z.enum(TRANSFER_KINDS) })),
});

export type SuperTicketsStudyLine = z.infer<typeof studyLine>;
export type SuperTicketsSeedLine = z.infer<typeof seedLine>;
export type StudyRun = z.infer<typeof studyRun>;

export interface SuperTicketsData {
  study: SuperTicketsStudyLine;
  sessions: SessionRecord[];
  seeds: SuperTicketsSeedLine[];
}

export function studyLineOf(s: SuperTicketsStudySettings, seeds: number[], command: string): SuperTicketsStudyLine {
  const { seed: _seed, ...settings } = s;
  return { kind: 'study', study: 'supertickets', seeds, settings, command };
}

export function formatSuperTicketsData(d: SuperTicketsData): string {
  return formatDataLines(d.study, d.sessions, d.seeds);
}

export function parseSuperTicketsData(text: string): SuperTicketsData {
  const lines = readDataLines(text, 'supertickets');
  return { study: lines.checkedStudy(studyLine), sessions: lines.sessions, seeds: lines.ofKind('seed', seedLine) };
}
