// A model family of the registry: the names it answers to, how to build a model from a name, and the
// hyperparameter defaults of its paper (OpenLTH keeps `default_hparams()` beside each model the same way).
import { ConfigError } from '../util/errors.js';
import type { DatasetHparams, PruningHparams, TrainingHparams } from '../hparams/groups.js';
import type { BiasInit, InitName } from '../nn/init.js';
import type { Model, ModelData } from './model.js';

/** What a family sets beyond the base defaults (src/hparams/defaults.ts). */
export interface FamilyDefaults {
  /** The paper's initializer (every model has one). */
  init: InitName;
  /** The paper's bias init, when it is not the one `init` implies (nn/init.ts `impliedBiasInit`). */
  biasInit?: BiasInit;
  dataset?: Partial<DatasetHparams>;
  training?: Partial<TrainingHparams>;
  pruning?: Partial<PruningHparams>;
  /**
   * Earlier values of defaults that changed since runs were stored under them. Runs are named against these
   * (hparams/defaults.ts `namingDefaults`), so a stored run keeps its name and is never found for the new default.
   */
  earlier?: { training?: Partial<TrainingHparams> };
}

/** What the data decides about a model: a language model's vocabulary and longest sequence. */
export interface ModelContext {
  vocabSize?: number;
  seqLen?: number;
}

export interface ModelFamily {
  /** Names of the family, e.g. /^mnist_lenet(_.*)?$/. */
  pattern: RegExp;
  /** One valid name, shown in errors and help. */
  example: string;
  /** What comes before the arguments (default: the example's first two `_` parts, e.g. `mnist_lenet`). */
  prefix?: string;
  /** The data its models train on. */
  data: ModelData;
  /** Builds the model from the name and the `_`-separated arguments after the family prefix. */
  build(name: string, args: string[], ctx: ModelContext): Model;
  /** Defaults for a model of the family; checks the arguments as build does, without building anything. */
  defaults(name: string, args: string[]): FamilyDefaults;
}

/** Parses `args` as positive integers named `what` (the first `min` required), e.g. depth and width. */
export function intArgs(name: string, args: string[], what: readonly string[], min: number, max = 10_000): number[] {
  if (args.length < min || args.length > what.length) {
    const form = what.map((w, i) => (i < min ? `_<${w}>` : `[_<${w}>]`)).join('');
    throw new ConfigError(`${name}: expected ${name.split('_').slice(0, 2).join('_')}${form}`);
  }
  return args.map((a, i) => positiveArg(name, a, what[i]!, max));
}

/** One positive integer argument of a model name, at most `max` (so a typo cannot ask for terabytes). */
export function positiveArg(name: string, a: string, what: string, max: number): number {
  if (!/^[1-9][0-9]*$/.test(a)) throw new ConfigError(`${name}: ${what} must be a positive integer, got '${a}'`);
  const n = Number(a);
  if (n > max) throw new ConfigError(`${name}: ${what} ${n} is too large (at most ${max})`);
  return n;
}
