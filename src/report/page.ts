// Results pages: a Markdown template (prose, with {{placeholders}}) filled from the values a study computes from
// its committed data. Filling is strict both ways, so a template and its study cannot drift apart silently, and a
// page that names a path on the machine that produced it is never written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { DataError } from '../util/errors.js';

/** Placeholder name → the Markdown that replaces it. */
export type PageValues = Record<string, string>;

const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;

/** Placeholder names in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Replaces every {{name}} by values[name]. Fails on a placeholder without a value, a value without a placeholder
 * and on braces that look like a misspelt placeholder. Values are inserted as they are (never re-scanned).
 */
export function fillTemplate(template: string, values: PageValues): string {
  const names = placeholdersOf(template);
  const missing = names.filter((n) => !Object.hasOwn(values, n));
  if (missing.length) throw new DataError(`template placeholders without a value: ${missing.join(', ')}`);
  const unused = Object.keys(values).filter((n) => !names.includes(n));
  if (unused.length) throw new DataError(`values without a placeholder in the template: ${unused.join(', ')}`);
  const stray = /\{\{|\}\}/.exec(template.replace(PLACEHOLDER, ''));
  if (stray)
    throw new DataError(
      `malformed placeholder near '${template.slice(Math.max(0, stray.index - 20), stray.index + 20)}'`,
    );
  return template.replace(PLACEHOLDER, (_, name: string) => values[name]!);
}

/** Fragments that only make sense on one machine: home and temporary directories, in Unix and Windows spelling. */
const LOCAL_PATTERNS = [
  /\/tmp\//,
  /\/root\//,
  /\/home\/[^\s/]+/,
  /\/Users\/[^\s/]+/,
  /\/var\/folders\//,
  /\/private\/var\//,
  /[A-Za-z]:\\Users\\/,
];

/**
 * Machine-local paths in `text`: the patterns above, this machine's home and temporary directories, and any
 * `extra` directories (a run root, the repository's absolute path).
 */
export function localPathsIn(text: string, extra: readonly string[] = []): string[] {
  const found = new Set<string>();
  for (const p of LOCAL_PATTERNS) for (const m of text.matchAll(new RegExp(p.source, 'g'))) found.add(m[0]);
  const dirs = [os.homedir(), os.tmpdir(), ...extra].map((d) => path.resolve(d)).filter((d) => d.length > 1);
  for (const d of dirs) if (text.includes(d)) found.add(d);
  return [...found];
}

/** Writes a generated page atomically (creating its directory) unless it names a machine-local path. */
export function writePage(file: string, text: string, extraLocal: readonly string[] = []): void {
  const local = localPathsIn(text, extraLocal);
  if (local.length)
    throw new DataError(`refusing to write ${path.basename(file)}: it names machine-local paths (${local.join(', ')})`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text);
}
