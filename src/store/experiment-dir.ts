// A stored experiment's directory: `<root>/<kind>_<hash>`, named by the hash of what identifies it (the
// non-default hyperparameters), with hparams.json recording them. Every kind of run (train, lottery, planted,
// future studies) is stored this way, so the same command finds its experiment again.
import fs from 'node:fs';
import path from 'node:path';
import { hparamHash, stableStringify } from './hash.js';
import { ensureWritableDir, writeFileAtomic } from './atomic.js';
import { DataError } from '../util/errors.js';

export const HPARAMS_FILE = 'hparams.json';

export interface ExperimentDir {
  kind: string;
  hash: string;
  /** `<kind>_<hash>`. */
  name: string;
  dir: string;
}

export function experimentDir(root: string, kind: string, identity: Record<string, unknown>): ExperimentDir {
  const hash = hparamHash(identity);
  const name = `${kind}_${hash}`;
  return { kind, hash, name, dir: path.join(root, name) };
}

/**
 * Creates (or reopens) the experiment `identity` names, writing `document` (which must hold the identity under
 * `non_default`) to hparams.json the first time. A stored file that names another identity is an error, never
 * silently reused.
 */
export function createExperimentDir(
  root: string,
  kind: string,
  identity: Record<string, unknown>,
  document: Record<string, unknown>,
): ExperimentDir {
  const e = experimentDir(root, kind, identity);
  ensureWritableDir(e.dir, 'experiment directory');
  const file = path.join(e.dir, HPARAMS_FILE);
  if (!fs.existsSync(file)) {
    writeFileAtomic(file, JSON.stringify({ ...document, non_default: identity }, null, 2) + '\n');
    return e;
  }
  let stored: unknown;
  try {
    stored = (JSON.parse(fs.readFileSync(file, 'utf8')) as { non_default?: unknown }).non_default;
  } catch {
    throw new DataError(`${file} is damaged; delete ${e.dir} to start this experiment again`);
  }
  if (stableStringify(stored ?? null) !== stableStringify(identity))
    throw new DataError(`${file} belongs to another experiment (its hyperparameters differ); move ${e.dir} away`);
  return e;
}
