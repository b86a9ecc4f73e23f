// Reading stored JSON (hparams, results, checkpoint state): every way such a file can be wrong (missing,
// unreadable, huge, not UTF-8, not JSON, not the expected shape) becomes one DataError naming the file.
import * as fs from 'node:fs';
import { DataError, UserError } from '../util/errors.js';

/** Stored JSON files are kilobytes; anything above this is not one of ours and is not read into memory. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Checks a parsed value and returns it typed. Throws a UserError (e.g. DataError) saying what is wrong, without
 * the file name, which the reader adds ("level is missing" -> "<file>: level is missing"). Any other exception
 * is treated as a bug in the validator and passes through unchanged.
 */
export type JsonValidator<T> = (value: unknown) => T;

export interface JsonReadOptions {
  /** What the user can do about a damaged file, appended to every message (e.g. "delete the level to rerun it"). */
  advice?: string;
}

/** Read `file` as UTF-8 JSON and validate it; all problems are DataErrors naming the file. */
export function readJsonFile<T>(file: string, validate: JsonValidator<T>, opts: JsonReadOptions = {}): T {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_JSON_BYTES) throw fail(file, `is ${size} bytes, more than any file ticketlab stores`, opts);
    bytes = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw fail(file, `cannot be read (${(err as Error).message.split(',')[0]})`, opts);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes); // parseJson drops one BOM
  } catch {
    throw fail(file, 'is not valid JSON (it holds bytes that are not UTF-8)', opts);
  }
  return parseJson(text, file, validate, opts);
}

/** Parse JSON text from `source` (a file, or e.g. "metadata 'state' of <file>") and validate it. */
export function parseJson<T>(text: string, source: string, validate: JsonValidator<T>, opts: JsonReadOptions = {}): T {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // editors may add a byte-order mark
  } catch (err) {
    throw fail(source, `is not valid JSON (${jsonSyntaxProblem(err, text)})`, opts);
  }
  try {
    return validate(value);
  } catch (err) {
    if (err instanceof UserError) throw fail(source, `has unexpected content: ${err.message}`, opts);
    throw err;
  }
}

/** Where JSON.parse stopped, as line and column where the engine says, without its wording (which quotes the text). */
export function jsonSyntaxProblem(err: unknown, text: string): string {
  const msg = (err as Error).message;
  const at = /position (\d+)/.exec(msg);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    return `unexpected character at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
  }
  if (/end of JSON/.test(msg)) return text.trim() === '' ? 'it is empty' : 'it ends early';
  const token = /Unexpected token '(.)'/.exec(msg);
  return token ? `unexpected character ${JSON.stringify(token[1])}` : 'it is not JSON';
}

function fail(source: string, what: string, opts: JsonReadOptions): DataError {
  return new DataError(`${source} ${what.replace(/\s*\n\s*/g, ' ')}${opts.advice ? `; ${opts.advice}` : ''}`);
}
