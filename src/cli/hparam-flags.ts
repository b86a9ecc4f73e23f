// Hyperparameter groups as CLI flags: every field of a group becomes a flag with the field's help text, so a
// hyperparameter reads and means the same in every command. A prefix gives a second copy of a group (the retrain
// branch's `--retrain-lr`, …). Flags have no commander defaults: absent means "the default of the model or study".
import type { Command } from 'commander';
import type { Field } from '../hparams/field.js';
import { fieldProblem } from '../hparams/field.js';
import type { Group } from '../hparams/groups.js';
import { ConfigError } from '../util/errors.js';

export interface FlagOptions {
  /** e.g. 'retrain': `--retrain-lr`. */
  prefix?: string;
  /** Only these fields. */
  only?: readonly string[];
  /** Leave these fields out. */
  except?: readonly string[];
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag of a field without its `--`: `lr`, `batch-size`, `retrain-lr`. */
export function flagName(key: string, f: Field, prefix?: string): string {
  const base = f.flag ?? kebab(key);
  return prefix ? `${prefix}-${base}` : base;
}

function selected(g: Group, o: FlagOptions): [string, Field][] {
  return Object.entries(g.fields).filter(([k]) => (!o.only || o.only.includes(k)) && !o.except?.includes(k));
}

/** Reads a flag's text as the field's value, or a ConfigError naming the flag and what it expects. */
export function parseFlag(flag: string, f: Field, text: string): unknown {
  const value = f.fromText ? f.fromText(text) : text;
  const problem = fieldProblem(f, value);
  if (problem) throw new ConfigError(`--${flag} ${problem}, got '${text}'`);
  return value;
}

export function addGroupFlags(cmd: Command, g: Group, o: FlagOptions = {}): Command {
  for (const [key, f] of selected(g, o)) {
    const flag = flagName(key, f, o.prefix);
    const help = o.prefix ? `${o.prefix}: ${f.help}` : f.help;
    if (f.fromText) cmd.option(`--${flag} <value>`, help, (text: string) => parseFlag(flag, f, text));
    else cmd.option(`--${flag}`, help).option(`--no-${flag}`, `${o.prefix ? `${o.prefix}: ` : ''}turn --${flag} off`);
  }
  return cmd;
}

/** The values given on the command line for a group's flags (absent flags are absent). */
export function readGroupFlags(
  values: Record<string, unknown>,
  g: Group,
  o: FlagOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of selected(g, o)) {
    const v = values[camel(flagName(key, f, o.prefix))];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Defaults with the given flags applied over them, group by group (a deep copy). */
export function withFlags<H extends object>(
  defaults: H,
  groups: Record<string, Group>,
  values: Record<string, unknown>,
  o: FlagOptions = {},
): H {
  const h = structuredClone(defaults) as Record<string, Record<string, unknown>>;
  for (const [name, g] of Object.entries(groups)) Object.assign(h[name]!, readGroupFlags(values, g, o));
  return h as H;
}
