// Reading stored JSON files against a schema: a missing, unparsable or foreign file is one DataError naming the
// file and what is wrong, never a raw parse message or a half-valid object.
import fs from 'node:fs';
import type { z } from 'zod';
import { DataError } from '../util/errors.js';

export function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DataError(`${file} is not valid JSON (damaged or truncated?)`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the top level';
    throw new DataError(`${file}: ${where}: ${issue.message.toLowerCase()} (damaged, or written by another version?)`);
  }
  return r.data;
}
