// A selection of embedding rows as a user gives it: a JSON file written by `ticketlab ks --json` or `--out` (its
// `selected` rows), a JSON list of row ids, or a text list such as "3,17,200-205".
import * as fs from 'node:fs';
import { ConfigError, DataError } from '../util/errors.js';

/** The rows `spec` names, sorted and without repeats; rows must lie in [0, rows). */
export function parseRowSelection(spec: string, rows: number): number[] {
  const ids = fs.existsSync(spec) ? rowsFromFile(spec) : rowsFromText(spec);
  for (const r of ids) {
    if (!Number.isInteger(r) || r < 0 || r >= rows)
      throw new ConfigError(`row selection ${spec} names row ${r}, outside the tensor's rows [0, ${rows})`);
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

function rowsFromText(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new ConfigError(`row selection '${spec}' is neither a file nor a list like 3,17,200-205`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new ConfigError(`row selection '${spec}': range ${lo}-${hi} runs backwards`);
    if (hi - lo > 10_000_000) throw new ConfigError(`row selection '${spec}': range ${lo}-${hi} is too long`);
    for (let r = lo; r <= hi; r++) out.push(r);
  }
  return out;
}

function rowsFromFile(file: string): number[] {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DataError(`row selection ${file} is not readable JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(value) ? value : (value as { selected?: unknown } | null)?.selected;
  if (!Array.isArray(list))
    throw new DataError(`row selection ${file} holds neither a list of rows nor a "selected" list (ticketlab ks)`);
  return list.map((item: unknown) => {
    const row = typeof item === 'object' && item !== null ? (item as { row?: unknown }).row : item;
    if (typeof row !== 'number') throw new DataError(`row selection ${file} has an entry that is not a row number`);
    return row;
  });
}
