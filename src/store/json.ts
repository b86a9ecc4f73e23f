// Stored JSON checked against a zod schema, through the one JSON reader (json-file.ts): a missing, unparsable or
// foreign file is one DataError naming the file and what is wrong, never a raw parse message or a half-valid object.
import type { z } from 'zod';
import { DataError } from '../util/errors.js';
import { parseJson, readJsonFile, type JsonReadOptions, type JsonValidator } from './json-file.js';

/** A validator from a schema; its error names the first field that does not fit. */
export function schemaValidator<T>(schema: z.ZodType<T>): JsonValidator<T> {
  return (value) => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the top level';
    throw new DataError(`${where}: ${issue.message.toLowerCase()} (damaged, or written by another version?)`);
  };
}

export function readJson<T>(file: string, schema: z.ZodType<T>, opts: JsonReadOptions = {}): T {
  return readJsonFile(file, schemaValidator(schema), opts);
}

/** JSON text held inside another file (e.g. a checkpoint's metadata), checked against a schema. */
export function parseJsonAs<T>(text: string, source: string, schema: z.ZodType<T>, opts: JsonReadOptions = {}): T {
  return parseJson(text, source, schemaValidator(schema), opts);
}
