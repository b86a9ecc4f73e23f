// Stored seeks: `ticketlab seek` keeps each result under its planted run, `<planted run>/seeks/<pruner>_<hash>/
// result.json`, named by the hash of everything that decides it (pruner, density, scope, one-shot or multishot and
// its rounds, seed, the training flags that differ from the defaults). The same command finds it again instead of
// training twice; the dashboard's Plant 'n' Seek page reads them all.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hparamHash } from '../../store/hash.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { readJson } from '../../store/json.js';
import { acquireLock } from '../../store/lock.js';
import type { SeekResult } from './seek.js';

export const SEEKS_DIR = 'seeks';

export interface SeekIdentity {
  pruner: string;
  density: number | 'planted';
  scope: string;
  multishot: boolean;
  rounds: number | null;
  prune_bias: boolean;
  seed: number;
  /** Training flags that differ from the planted defaults. */
  training: Record<string, unknown>;
}

const agreement = z.object({
  found: z.number(),
  truth: z.number(),
  both: z.number(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  jaccard: z.number().nullable(),
});
/** A stored Score (score.ts). */
export const scoreSchema = z.object({
  loss: z.number(),
  loss_rescaled: z.number().optional(),
  accuracy: z.number().optional(),
});
/** The parts of a stored result that readers rely on (the rest is kept as written). */
export const storedSeek = z
  .object({
    run: z.string(),
    task: z.string(),
    pruner: z.string(),
    scope: z.string(),
    multishot: z.boolean(),
    rounds: z.number().nullable(),
    seed: z.number(),
    density: z.number(),
    planted_density: z.number(),
    ticket: z.object({ test: scoreSchema }).passthrough(),
    planted: z.object({ test: scoreSchema }).passthrough(),
    recovery: z.object({ total: agreement, layers: z.record(z.string(), agreement) }),
    collapse: z.object({ collapsed: z.boolean() }).passthrough(),
    seconds: z.number(),
  })
  .passthrough();

export function seekDir(plantedDir: string, id: SeekIdentity): string {
  return path.join(plantedDir, SEEKS_DIR, `${id.pruner}_${hparamHash(id)}`);
}

/** The stored result of this seek, or null. */
export function findSeek(plantedDir: string, id: SeekIdentity): SeekResult | null {
  const file = path.join(seekDir(plantedDir, id), 'result.json');
  return fs.existsSync(file) ? (readJson(file, storedSeek) as unknown as SeekResult) : null;
}

/** Runs `seek` under the seek directory's lock unless its result is stored, and stores it. */
export async function storedSeekRun(
  plantedDir: string,
  id: SeekIdentity,
  seek: () => Promise<SeekResult>,
): Promise<SeekResult & { reused: boolean }> {
  const found = findSeek(plantedDir, id);
  if (found) return { ...found, reused: true };
  const dir = seekDir(plantedDir, id);
  fs.mkdirSync(dir, { recursive: true });
  const lock = await acquireLock(dir);
  try {
    const again = findSeek(plantedDir, id); // another process may have finished it while we waited
    if (again) return { ...again, reused: true };
    const r = await seek();
    writeFileAtomic(path.join(dir, 'identity.json'), JSON.stringify(id, null, 2) + '\n');
    writeFileAtomic(path.join(dir, 'result.json'), JSON.stringify(r) + '\n');
    return { ...r, reused: false };
  } finally {
    await lock.release();
  }
}

/** Every stored seek of a planted run (a damaged one is an error row for the caller to show). */
export function storedSeeks(plantedDir: string): { name: string; file: string }[] {
  const root = path.join(plantedDir, SEEKS_DIR);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'result.json')))
    .map((e) => ({ name: e.name, file: path.join(root, e.name, 'result.json') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
