// Reads the finished levels of lottery experiments back from their directories (the source of truth; the SQLite
// index is only a cache), for reports.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { defaultRoot, FILES, TRUNK } from './layout.js';
import type { LevelRecord } from './runner.js';

export interface ExperimentResults {
  name: string;
  dir: string;
  hparams: { hparams: unknown; non_default: Record<string, unknown> };
  levels: LevelRecord[];
}

/** Resolves RUN arguments: an experiment directory, a path inside one, or an experiment name under the root. */
export function resolveExperiment(arg: string, root = defaultRoot()): string {
  const candidates = [path.resolve(arg), path.join(root, arg)];
  for (let c of candidates) {
    for (let up = 0; up < 4 && c !== path.dirname(c); up++) {
      if (fs.existsSync(path.join(c, FILES.hparams)) && path.basename(c).startsWith('lottery_')) return c;
      c = path.dirname(c);
    }
  }
  throw new UserError(`no lottery experiment at '${arg}' (give an experiment directory or a name like lottery_<hash> under ${root})`);
}

export function collectExperiment(dir: string): ExperimentResults {
  let hparams: ExperimentResults['hparams'];
  try {
    hparams = JSON.parse(fs.readFileSync(path.join(dir, FILES.hparams), 'utf8')) as ExperimentResults['hparams'];
  } catch (e) {
    throw new UserError(`cannot read ${path.join(dir, FILES.hparams)}: ${(e as Error).message}`);
  }
  const levels: LevelRecord[] = [];
  for (const rep of fs.readdirSync(dir).filter((d) => /^replicate_\d+$/.test(d)).sort()) {
    const repDir = path.join(dir, rep);
    for (const lvl of fs.readdirSync(repDir).filter((d) => /^level_\d+$/.test(d))) {
      for (const branch of fs.readdirSync(path.join(repDir, lvl))) {
        const f = path.join(repDir, lvl, branch, FILES.result);
        if (!fs.existsSync(f)) continue;
        try {
          levels.push(JSON.parse(fs.readFileSync(f, 'utf8')) as LevelRecord);
        } catch (e) {
          throw new UserError(`cannot read ${f}: ${(e as Error).message}`);
        }
      }
    }
  }
  levels.sort((a, b) => a.replicate - b.replicate || a.level - b.level || (a.branch === TRUNK ? -1 : b.branch === TRUNK ? 1 : a.branch.localeCompare(b.branch)));
  return { name: path.basename(dir), dir, hparams, levels };
}

export function seriesName(branch: string): string {
  if (branch === TRUNK) return 'winning ticket';
  if (branch === 'random_reinit') return 'random reinit';
  if (branch === 'random_prune') return 'random pruning';
  if (branch === 'random_prune_global') return 'random pruning (global)';
  return branch.replace(/_/g, ' ');
}
