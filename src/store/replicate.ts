// What makes a replicate's results what they are beyond the experiment's hyperparameters: its seed and the data it
// was trained on. Recorded when the replicate starts and checked whenever it is reused or resumed, so results of
// another seed or other data are never silently taken for this one.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeFileAtomic } from './atomic.js';
import { readJson } from './json.js';
import { ConfigError } from '../util/errors.js';

export const REPLICATE_FILE = 'replicate.json';

const replicateIdentity = z.object({ seed: z.number().int().min(0), data: z.string() });
export type ReplicateIdentity = z.infer<typeof replicateIdentity>;

/** A short fingerprint of data arrays (e.g. the training and test images and labels). */
export function dataFingerprint(parts: readonly ArrayBufferView[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** Records the identity of a new replicate directory, or checks it against the recorded one. */
export function claimReplicate(dir: string, id: ReplicateIdentity, rerun: string): void {
  const file = path.join(dir, REPLICATE_FILE);
  if (fs.existsSync(file)) return checkReplicate(dir, id, rerun);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, JSON.stringify(id) + '\n');
}

/** A replicate directory's recorded identity (its seed and data fingerprint). */
export function readReplicate(dir: string): ReplicateIdentity {
  return readJson(path.join(dir, REPLICATE_FILE), replicateIdentity);
}

/** Checks a replicate directory's recorded identity (if it has one) without writing anything. */
export function checkReplicate(dir: string, id: ReplicateIdentity, rerun: string): void {
  const file = path.join(dir, REPLICATE_FILE);
  if (!fs.existsSync(file)) return;
  const stored = readJson(file, replicateIdentity);
  if (stored.seed !== id.seed)
    throw new ConfigError(
      `${dir} was run with seed ${stored.seed}, not ${id.seed}: ${rerun} (or give --seed ${stored.seed})`,
    );
  if (stored.data !== id.data)
    throw new ConfigError(
      `${dir} was run on other data (fingerprint ${stored.data}, now ${id.data}): ${rerun}, or point --data-dir at the data it used`,
    );
}
