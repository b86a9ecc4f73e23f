// One handle on a stored lottery experiment: its directory, validated hyperparameters, replicates, levels and
// results. Names of replicates, levels and branches are checked against what the store holds before they become
// paths, so no argument can reach outside the experiment.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOTTERY_GROUPS, type LotteryHparams } from '../hparams/groups.js';
import { namingDefaults } from '../hparams/defaults.js';
import { nonDefaults } from '../hparams/diff.js';
import { fillAddedFields } from '../hparams/stored.js';
import { createExperimentDir, experimentDir } from '../store/experiment-dir.js';
import { readJson } from '../store/json.js';
import { DataError, UserError } from '../util/errors.js';
import { FILES, levelDir, replicateDir, TRUNK } from './layout.js';
import { levelRecordSchema, type LevelRecord } from './record.js';

const hparamsFile = z.object({
  hparams: z.preprocess(
    (h) => fillAddedFields(h, namingDefaults),
    z.object(Object.fromEntries(Object.entries(LOTTERY_GROUPS).map(([k, g]) => [k, g.schema]))).strict(),
  ),
  non_default: z.record(z.string(), z.unknown()),
});

const NAME = /^lottery_[0-9a-f]{16}$/;
const BRANCH = /^[a-z0-9_]+$/;

export class LotteryExperiment {
  private constructor(
    readonly dir: string,
    readonly hparams: LotteryHparams,
    readonly nonDefault: Record<string, unknown>,
  ) {}

  get name(): string {
    return path.basename(this.dir);
  }

  /** The hash of the non-default hyperparameters that names it. */
  get hash(): string {
    return this.name.slice('lottery_'.length);
  }

  /**
   * The experiment these hyperparameters name under `root` (created if new): the hash of the non-default fields.
   * With a target density the masks depend on the number of levels too, so it joins the hash.
   */
  static create(root: string, h: LotteryHparams, levels: number): LotteryExperiment {
    const nd = identity(h, levels);
    const { dir } = createExperimentDir(root, 'lottery', nd, { hparams: h });
    return new LotteryExperiment(dir, h, nd);
  }

  /** The experiment these hyperparameters name, if it is stored (nothing is written: works on a read-only root). */
  static find(root: string, h: LotteryHparams, levels: number): LotteryExperiment | null {
    const { dir } = experimentDir(root, 'lottery', identity(h, levels));
    return fs.existsSync(path.join(dir, FILES.hparams)) ? LotteryExperiment.read(dir) : null;
  }

  /** An existing experiment: its directory, a path inside it, or its name (lottery_<hash>) under `root`. */
  static open(arg: string, root: string): LotteryExperiment {
    const candidates = NAME.test(arg) ? [path.join(root, arg)] : [path.resolve(arg)];
    for (let c of candidates) {
      for (let up = 0; up < 4 && c !== path.dirname(c); up++, c = path.dirname(c)) {
        if (NAME.test(path.basename(c)) && fs.existsSync(path.join(c, FILES.hparams))) return LotteryExperiment.read(c);
      }
    }
    throw new UserError(
      `no lottery experiment at '${arg}' (give an experiment directory or a name like lottery_<hash> under ${root})`,
    );
  }

  private static read(dir: string): LotteryExperiment {
    const stored = readJson(path.join(dir, FILES.hparams), hparamsFile);
    return new LotteryExperiment(dir, stored.hparams as unknown as LotteryHparams, stored.non_default);
  }

  replicateDir(replicate: number): string {
    if (!Number.isInteger(replicate) || replicate < 1)
      throw new UserError(`replicate must be a positive integer, got ${replicate}`);
    return replicateDir(this.dir, replicate);
  }

  /** A level's directory; the branch must be a plain name (it becomes a path component). */
  levelDir(replicate: number, level: number, branch = TRUNK): string {
    if (!BRANCH.test(branch)) throw new UserError(`'${branch}' is not a branch name (letters, digits and _ only)`);
    if (!Number.isInteger(level) || level < 0)
      throw new UserError(`level must be a non-negative integer, got ${level}`);
    return levelDir(this.replicateDir(replicate), level, branch);
  }

  /** Replicate numbers present on disk, ascending. */
  replicates(): number[] {
    return numbered(this.dir, 'replicate_');
  }

  /** Finished levels of a replicate's branch, ascending. */
  finishedLevels(replicate: number, branch = TRUNK): number[] {
    const rep = this.replicateDir(replicate);
    return numbered(rep, 'level_').filter((l) => fs.existsSync(path.join(levelDir(rep, l, branch), FILES.result)));
  }

  /** Branch directories present at a replicate's level. */
  branches(replicate: number, level: number): string[] {
    const dir = path.join(this.replicateDir(replicate), `level_${level}`);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((b) => BRANCH.test(b))
          .sort()
      : [];
  }

  /** A finished level's record (validated), or null when it has not finished. */
  record(replicate: number, level: number, branch = TRUNK): LevelRecord | null {
    const file = path.join(this.levelDir(replicate, level, branch), FILES.result);
    if (!fs.existsSync(file)) return null;
    const r = readJson(file, levelRecordSchema);
    if (r.level !== level || r.replicate !== replicate || r.branch !== branch)
      throw new DataError(
        `${file} describes another level (${r.replicate}/${r.level}/${r.branch}); delete it to retrain this level`,
      );
    return { ...r, dir: path.dirname(file) };
  }

  /** Every finished level of every replicate and branch: replicate, then level, then trunk before branches. */
  results(): LevelRecord[] {
    const out: LevelRecord[] = [];
    for (const rep of this.replicates())
      for (const level of numbered(this.replicateDir(rep), 'level_'))
        for (const branch of this.branches(rep, level)) {
          const r = this.record(rep, level, branch);
          if (r) out.push(r);
        }
    return out.sort(
      (a, b) =>
        a.replicate - b.replicate ||
        a.level - b.level ||
        (a.branch === TRUNK ? -1 : b.branch === TRUNK ? 1 : a.branch.localeCompare(b.branch)),
    );
  }
}

/** What names an experiment: the model, the non-default fields and, with a target density, the number of levels. */
function identity(h: LotteryHparams, levels: number): Record<string, unknown> {
  const nd: Record<string, unknown> = {
    'model.model': h.model.model,
    ...nonDefaults(h, namingDefaults(h.model.model, h.model.init)),
  };
  if (h.pruning.targetDensity > 0) nd['pruning.levels'] = levels;
  return nd;
}

/** Sorted numbers N of the entries `<prefix>N` in `dir`. */
function numbered(dir: string, prefix: string): number[] {
  if (!fs.existsSync(dir)) return [];
  const re = new RegExp(`^${prefix}(\\d+)$`);
  return fs
    .readdirSync(dir)
    .map((d) => re.exec(d)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
