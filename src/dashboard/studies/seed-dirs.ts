// The `seed_<s>` directories of a study experiment, in seed order.
import fs from 'node:fs';
import path from 'node:path';

export function seedDirs(experimentDir: string): { seed: number; dir: string }[] {
  return fs
    .readdirSync(experimentDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^seed_\d+$/.test(e.name))
    .map((e) => ({ seed: Number(e.name.slice(5)), dir: path.join(experimentDir, e.name) }))
    .sort((a, b) => a.seed - b.seed);
}

/** Runs `fn`, turning a failure into the row's `error` (a damaged file must not hide the rest). */
export function attempt<T extends object>(
  experiment: string,
  fn: () => T[],
): (T | { experiment: string; error: string })[] {
  try {
    return fn();
  } catch (e) {
    return [{ experiment, error: (e as Error).message }];
  }
}
