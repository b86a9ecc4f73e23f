// The branches by name.
import { ConfigError } from '../../util/errors.js';
import type { Branch } from './branch.js';
import { randomReinit } from './random-reinit.js';
import { randomPrune } from './random-prune.js';
import { randomPruneGlobal } from './random-prune-global.js';
import { retrain } from './retrain.js';

const BRANCHES: readonly Branch[] = [randomReinit, randomPrune, randomPruneGlobal, retrain];

export const BRANCH_NAMES = BRANCHES.map((b) => b.name);

export function branchNamed(name: string): Branch {
  const b = BRANCHES.find((x) => x.name === name);
  if (!b) throw new ConfigError(`unknown branch '${name}'; choose from ${BRANCH_NAMES.join(', ')}`);
  return b;
}

/** `--branch a,b`: the named branches, each once, in the order given. */
export function parseBranches(text: string): Branch[] {
  if (text.trim() === '' || text === 'none') return [];
  return [...new Set(text.split(',').map((s) => s.trim()))].map(branchNamed);
}

/** The series a branch directory belongs to in plots and tables ('main' is the winning ticket). */
export function seriesOf(dirName: string): string {
  if (dirName === 'main') return 'winning ticket';
  const exact = BRANCHES.find((b) => b.name === dirName);
  if (exact) return exact.series;
  const hashed = BRANCHES.find((b) => b.ownTraining && dirName.startsWith(`${b.name}_`));
  return hashed ? `${hashed.series} ${dirName.slice(hashed.name.length + 1)}` : dirName.replace(/_/g, ' ');
}
