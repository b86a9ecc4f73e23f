// One hyperparameter: the schema of its value (zod), how to read it from flag text, what it expects (for error
// messages) and its help text. Groups of fields (groups.ts) define the typed hyperparameters, their CLI flags
// (cli/hparam-flags.ts) and the validation of stored hparams.json files, all from one definition.
import { z } from 'zod';
import { formatSteps, parseSteps } from '../util/steps.js';

export interface Field<T = unknown> {
  schema: z.ZodType<T>;
  help: string;
  /** Completes "<flag> must be …", e.g. 'a positive integer'. */
  expects: string;
  /** Reads flag text (absent: a boolean switch, `--x` / `--no-x`). Bad text gives a value the schema rejects. */
  fromText?: (text: string) => unknown;
  /** The flag without its `--`, when it is not the key in kebab case. */
  flag?: string;
}

export type ValueOf<F> = F extends Field<infer T> ? T : never;

const number = (text: string): number => (text.trim() === '' ? NaN : Number(text));
const integer = (text: string): number => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);
const list = (text: string): string[] =>
  text.trim() === '' || text.trim() === 'none' ? [] : text.split(',').map((s) => s.trim());

function isStepString(s: string): boolean {
  try {
    parseSteps(s);
    return true;
  } catch {
    return false;
  }
}

const stepString = z.string().refine(isStepString);

/** One spelling per step count (`1000` and `1000it` and `0ep1000it` are the same run), or the text when invalid. */
function canonicalSteps(text: string): string {
  return isStepString(text) ? formatSteps(parseSteps(text)) : text;
}

/** Options every kind takes: the help text and an optional flag name. */
interface Opts {
  help: string;
  flag?: string;
}

export const kinds = {
  /** An integer in [min, max]. */
  int: (o: Opts & { min: number; max: number }): Field<number> => ({
    schema: z.number().int().min(o.min).max(o.max),
    expects: `${o.min === 1 ? 'a positive integer' : o.min === 0 ? 'a non-negative integer' : `an integer ≥ ${o.min}`} up to ${o.max}`,
    fromText: integer,
    ...o,
  }),
  /** A finite number in (0, max]. */
  positive: (o: Opts & { max: number }): Field<number> => ({
    schema: z.number().gt(0).max(o.max),
    expects: `a positive number up to ${o.max}`,
    fromText: number,
    ...o,
  }),
  /** A finite number in [0, max]. */
  nonNegative: (o: Opts & { max: number }): Field<number> => ({
    schema: z.number().min(0).max(o.max),
    expects: `a non-negative number up to ${o.max}`,
    fromText: number,
    ...o,
  }),
  /** A number in [0, 1). */
  fraction: (o: Opts): Field<number> => ({
    schema: z.number().min(0).lt(1),
    expects: 'a number in [0, 1)',
    fromText: number,
    ...o,
  }),
  /** A density in (0, 1], or 0 for "off". */
  densityOrOff: (o: Opts): Field<number> => ({
    schema: z.number().min(0).max(1),
    expects: 'a density in (0, 1] (or 0 for off)',
    fromText: number,
    ...o,
  }),
  flag: (o: Opts): Field<boolean> => ({ schema: z.boolean(), expects: 'true or false', ...o }),
  oneOf: <T extends string>(choices: readonly T[], o: Opts): Field<T> => ({
    schema: z.enum(choices as [T, ...T[]]) as unknown as z.ZodType<T>,
    expects: `one of ${choices.join(', ')}`,
    fromText: (t) => t,
    ...o,
  }),
  /** A step string: `500it`, `2ep`, `2ep100it` or a plain number of iterations. */
  steps: (o: Opts): Field<string> => ({
    schema: stepString,
    expects: 'a step count like 500it, 2ep or 2ep100it',
    fromText: canonicalSteps,
    ...o,
  }),
  /** Comma-separated step strings, or `none`. */
  stepList: (o: Opts): Field<string[]> => ({
    schema: z.array(stepString),
    expects: 'comma-separated step counts like 15000it,2ep (or none)',
    fromText: (t) => list(t).map(canonicalSteps),
    ...o,
  }),
  /** Comma-separated names, or `none`. */
  names: (o: Opts): Field<string[]> => ({
    schema: z.array(z.string().min(1)),
    expects: 'comma-separated names (or none)',
    fromText: list,
    ...o,
  }),
  /** Free text, possibly empty (validated where it is used). */
  text: (o: Opts): Field<string> => ({
    schema: z.string().max(1000),
    expects: 'text',
    fromText: (t) => t.trim(),
    ...o,
  }),
  /** A non-empty name (e.g. a model name, validated where it is used). */
  name: (o: Opts): Field<string> => ({ schema: z.string().min(1), expects: 'a name', fromText: (t) => t.trim(), ...o }),
};

/** Why a value does not fit a field ("must be …"), or null when it does. */
export function fieldProblem(f: Field, value: unknown): string | null {
  return f.schema.safeParse(value).success ? null : `must be ${f.expects}`;
}
