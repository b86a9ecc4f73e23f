// Reading a study's committed data file: JSON lines, the first a `study` line, `session` lines for the runtime
// table, and the study's own kinds, each checked against its schema with a one-line error naming what is wrong.
import type { z } from 'zod';
import type { SessionRecord } from '../report/runtime.js';
import { DataError } from '../util/errors.js';

export interface DataLines {
  /** The first line, checked. */
  study: unknown;
  sessions: SessionRecord[];
  /** Lines of `kind`, each checked against `schema`. */
  ofKind<T>(kind: string, schema: z.ZodType<T>): T[];
  /** The first line against the study schema. */
  checkedStudy<T>(schema: z.ZodType<T>): T;
}

export function readDataLines(text: string, study: string): DataLines {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as { kind?: string };
      } catch {
        throw new DataError(`${study} data line ${i + 1} is not JSON`);
      }
    });
  if (lines[0]?.kind !== 'study') throw new DataError(`${study} data: the first line must be the study line`);
  const checked = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    throw new DataError(
      `${study} data: a ${what} line has ${issue.path.join('.') || 'a value'}: ${issue.message} (rerun the script to collect it again)`,
    );
  };
  const sessions = lines
    .filter((l) => l.kind === 'session')
    .map((l) => {
      const { kind: _kind, ...s } = l as { kind: string } & SessionRecord;
      return s as SessionRecord;
    });
  return {
    study: lines[0],
    sessions,
    ofKind: (kind, schema) => lines.filter((l) => l.kind === kind).map((l) => checked(schema, l, kind)),
    checkedStudy: (schema) => checked(schema, lines[0], 'study'),
  };
}

/** A data file's text: the study line, the sessions, then the study's own lines. */
export function formatDataLines(study: object, sessions: readonly SessionRecord[], rest: readonly object[]): string {
  return [study, ...sessions.map((s) => ({ kind: 'session', ...s })), ...rest]
    .map((l) => JSON.stringify(l))
    .join('\n')
    .concat('\n');
}
