// Deterministic hashing of hyperparameters. Run directories are named by the hash of their
// non-default hyperparameters, so adding a new hyperparameter (with a default) later does not
// rename existing runs, and the same settings written in any key order map to the same run.

import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (by code unit), recursively. Values that JSON would silently
 * change or drop inside arrays (NaN, Infinity, bigint, functions, symbols) throw a TypeError
 * instead, so two different configurations can never hash alike. `undefined` object members
 * are omitted, as in JSON.stringify.
 */
export function stableStringify(value: unknown): string {
  return encode(value, new Set(), '$');
}

function encode(value: unknown, seen: Set<object>, where: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`stableStringify: ${where} is ${value}, which JSON cannot represent`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new TypeError(`stableStringify: ${where} has unsupported type ${typeof value}`);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encode((value as { toJSON(): unknown }).toJSON(), seen, where); // e.g. Date
  }
  if (seen.has(value)) throw new TypeError(`stableStringify: ${where} is a circular reference`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[' + value.map((v, i) => encode(v, seen, `${where}[${i}]`)).join(',') + ']';
  } else {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    out = '{' + keys.map((k) => `${JSON.stringify(k)}:${encode(obj[k], seen, `${where}.${k}`)}`).join(',') + '}';
  }
  seen.delete(value);
  return out;
}

/** First 16 hex chars (64 bits) of sha256(stableStringify(obj)). */
export function hparamHash(obj: unknown): string {
  return createHash('sha256').update(stableStringify(obj)).digest('hex').slice(0, 16);
}
