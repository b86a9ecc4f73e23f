// The committed data behind docs/results/ownership.md: `docs/results/ownership/results.jsonl`, one JSON object a line,
// each with a `kind`:
//   study    (first line) the settings the page states, the seeds and the command that ran it
//   session  one run of the script that trained something (src/report/runtime.ts)
//   seed     one seed: the ticket, the signed ticket, every attack, the trigger set and the key/lock
import { z } from 'zod';
import type { SessionRecord } from '../../report/runtime.js';
import { ATTACK_KINDS } from '../../ownership/attacks.js';
import { PATH_SCORES } from '../../ownership/key-lock.js';
import { formatDataLines, readDataLines } from '../data-lines.js';
import type { OwnershipStudySettings } from './settings.js';

const accuracy = z.number().min(0).max(1);

const studyLine = z.object({
  kind: z.literal('study'),
  study: z.literal('ownership'),
  seeds: z.array(z.number().int()).min(1),
  settings: z.object({
    model: z.string(),
    levels: z.number().int(),
    steps: z.string(),
    signLevel: z.number().int(),
    layer: z.string(),
    message: z.string(),
    forgeMessage: z.string(),
    amounts: z.array(z.number()),
    finetune: z.number(),
    finetuneDense: z.number(),
    triggers: z.number().int(),
    triggersPerBatch: z.number().int(),
    lockLevel: z.number().int(),
    lockPaths: z.array(z.number().int()),
    lockScores: z.array(z.enum(PATH_SCORES)),
  }),
  command: z.string(),
});

const ticketCheck = z.object({
  /** Messages a real decoder read from the ticket. */
  decoded: z.array(z.string()),
  owner_decoded: z.boolean(),
  /** The owner's claim: the best window's mismatch with the message's code, and its chance under the null. */
  claim_mismatch_rate: z.number().min(0).max(1),
  claim_log10_p: z.number().max(0),
  density: z.number(),
});

const attackResult = ticketCheck.extend({
  kind: z.enum(ATTACK_KINDS),
  amount: z.number(),
  test_accuracy: accuracy,
});

const seedLine = z.object({
  kind: z.literal('seed'),
  seed: z.number().int(),
  experiment: z.string(),
  ticket: z.object({
    level: z.number().int(),
    density: z.number(),
    test_accuracy: accuracy,
    layer_density: z.number().nullable(),
  }),
  unsigned: ticketCheck,
  signed: ticketCheck.extend({
    layer: z.string(),
    window: z.object({ row: z.number().int(), col: z.number().int() }),
    changed: z.number().int(),
    flips_on: z.number().int(),
    flips_off: z.number().int(),
    compensated: z.number().int(),
    test_accuracy: accuracy,
    seconds: z.number(),
    /** Of the window's cells on after signing, the share among the layer's weakest 20% (switched on / kept). */
    switched_on_weak: z.number().min(0).max(1),
    kept_weak: z.number().min(0).max(1),
  }),
  attacks: z.array(attackResult),
  triggers: z.object({
    count: z.number().int(),
    test_accuracy: accuracy,
    trigger_accuracy: accuracy,
    unsigned_trigger_accuracy: accuracy,
    signed_trigger_accuracy: accuracy,
    owner_decoded: z.boolean(),
  }),
  lock: z.object({
    level: z.number().int(),
    density: z.number(),
    ticket_test_accuracy: accuracy,
    results: z.array(
      z.object({
        score: z.enum(PATH_SCORES),
        paths: z.number().int(),
        paths_removed: z.number().int(),
        removed: z.number().int(),
        locked_density: z.number(),
        locked_test_accuracy: accuracy,
        unlocked_test_accuracy: accuracy,
      }),
    ),
  }),
});

export type OwnershipStudyLine = z.infer<typeof studyLine>;
export type OwnershipSeedLine = z.infer<typeof seedLine>;
export type TicketCheck = z.infer<typeof ticketCheck>;
export type AttackResult = z.infer<typeof attackResult>;

export interface OwnershipData {
  study: OwnershipStudyLine;
  sessions: SessionRecord[];
  seeds: OwnershipSeedLine[];
}

export function studyLineOf(s: OwnershipStudySettings, seeds: number[], command: string): OwnershipStudyLine {
  const { seed: _seed, ...settings } = s;
  return { kind: 'study', study: 'ownership', seeds, settings, command };
}

export function formatOwnershipData(d: OwnershipData): string {
  return formatDataLines(d.study, d.sessions, d.seeds);
}

export function parseOwnershipData(text: string): OwnershipData {
  const lines = readDataLines(text, 'ownership');
  return { study: lines.checkedStudy(studyLine), sessions: lines.sessions, seeds: lines.ofKind('seed', seedLine) };
}
