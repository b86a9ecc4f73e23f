// One table describes every hyperparameter: where it lives in the groups, its CLI flag and how to parse it.
// The CLI builds its options from this table, so every field is a flag by construction.
import type { Command } from 'commander';
import { INIT_NAMES } from '../nn/init.js';
import { OPTIMIZER_NAMES } from '../training/optimizer-config.js';
import { parseSteps } from '../util/steps.js';
import { ConfigError } from '../util/errors.js';
import { fraction, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from '../util/flags.js';
import type { LotteryHparams } from './groups.js';

type Group = 'dataset' | 'model' | 'training' | 'pruning';

export interface Field {
  group: Group | null; // null: top level (rewind)
  key: string;
  flag: string;
  help: string;
  /** Parses the flag's text; absent for boolean switches (`--x` / `--no-x`). */
  parse?: (v: string) => unknown;
}

function stepString(flag: string) {
  return (v: string): string => {
    parseSteps(v, flag);
    return v.trim();
  };
}

function stepList(flag: string) {
  return (v: string): string[] => (v.trim() === '' || v === 'none' ? [] : v.split(',').map((s) => stepString(flag)(s)));
}

function unitDensity(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`${flag} must be a density in (0, 1] (or 0 for off), got '${v}'`);
    return n;
  };
}

function nameList(v: string): string[] {
  return v.trim() === '' || v === 'none' ? [] : v.split(',').map((s) => s.trim());
}

export const FIELDS: readonly Field[] = [
  { group: 'dataset', key: 'batchSize', flag: '--batch-size', help: 'examples per training step', parse: positiveInt('--batch-size') },
  { group: 'dataset', key: 'augment', flag: '--augment', help: 'random crop (pad 4) and horizontal flip (CIFAR-10)' },
  { group: 'dataset', key: 'validation', flag: '--validation', help: 'training examples held out for early stopping (0: none)', parse: nonNegativeInt('--validation') },
  { group: 'model', key: 'init', flag: '--init', help: `weight initializer: ${INIT_NAMES.join(', ')}`, parse: oneOf('--init', INIT_NAMES) },
  { group: 'training', key: 'optimizer', flag: '--optimizer', help: `optimizer: ${OPTIMIZER_NAMES.join(', ')}`, parse: oneOf('--optimizer', OPTIMIZER_NAMES) },
  { group: 'training', key: 'lr', flag: '--lr', help: 'learning rate', parse: positiveNumber('--lr') },
  { group: 'training', key: 'steps', flag: '--steps', help: 'training length per level: 50000it, 2ep, 2ep100it', parse: stepString('--steps') },
  { group: 'training', key: 'momentum', flag: '--momentum', help: 'SGD momentum', parse: fraction('--momentum') },
  { group: 'training', key: 'nesterov', flag: '--nesterov', help: 'Nesterov momentum (SGD)' },
  { group: 'training', key: 'weightDecay', flag: '--weight-decay', help: 'weight decay (decoupled for adamw)', parse: nonNegativeNumber('--weight-decay') },
  { group: 'training', key: 'milestones', flag: '--milestones', help: 'comma-separated step strings where lr ×= gamma, or none', parse: stepList('--milestones') },
  { group: 'training', key: 'gamma', flag: '--gamma', help: 'learning-rate decay at milestones', parse: positiveNumber('--gamma') },
  { group: 'training', key: 'warmup', flag: '--warmup', help: 'linear warmup length (step string)', parse: stepString('--warmup') },
  { group: 'training', key: 'evalEvery', flag: '--eval-every', help: 'evaluate validation and test sets every N iterations', parse: positiveInt('--eval-every') },
  { group: 'pruning', key: 'strategy', flag: '--pruning-strategy', help: 'layerwise (per-layer rates) or global (one rate across layers)', parse: oneOf('--pruning-strategy', ['layerwise', 'global'] as const) },
  { group: 'pruning', key: 'rate', flag: '--prune-rate', help: 'fraction of surviving weights pruned per level (fc layers, or all with global)', parse: fraction('--prune-rate') },
  { group: 'pruning', key: 'convRate', flag: '--prune-conv-rate', help: 'layerwise rate for conv layers', parse: fraction('--prune-conv-rate') },
  { group: 'pruning', key: 'outputRate', flag: '--prune-output-rate', help: 'layerwise rate for the output layer', parse: fraction('--prune-output-rate') },
  { group: 'pruning', key: 'ignore', flag: '--prune-ignore', help: 'global: comma-separated weights not pruned, or none', parse: nameList },
  { group: 'pruning', key: 'targetDensity', flag: '--prune-target-density', help: 'density after the last level, reached geometrically (one-shot with --levels 1); 0: use the rates', parse: unitDensity('--prune-target-density') },
  { group: null, key: 'rewind', flag: '--rewind', help: 'rewind point: 0it (reset to θ0) or e.g. 500it', parse: stepString('--rewind') },
];

/** camelCase name commander gives a flag's value. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Adds every field as an option (no commander defaults: absent means "the model's default"). */
export function addHparamOptions(cmd: Command, only?: (f: Field) => boolean): Command {
  for (const f of FIELDS.filter((f) => !only || only(f))) {
    if (f.parse) cmd.option(`${f.flag} <value>`, f.help, f.parse);
    else cmd.option(f.flag, f.help).option(f.flag.replace(/^--/, '--no-'), `disable ${f.flag}`);
  }
  return cmd;
}

/** Applies given CLI values over defaults (a deep copy is returned). */
export function applyOverrides(defaults: LotteryHparams, values: Record<string, unknown>, only?: (f: Field) => boolean): LotteryHparams {
  const h = structuredClone(defaults);
  for (const f of FIELDS.filter((f) => !only || only(f))) {
    const v = values[optionKey(f.flag)];
    if (v === undefined) continue;
    if (f.group === null) (h as unknown as Record<string, unknown>)[f.key] = v;
    else (h[f.group] as unknown as Record<string, unknown>)[f.key] = v;
  }
  validateHparams(h);
  return h;
}

export function validateHparams(h: LotteryHparams): void {
  const t = h.training;
  parseSteps(t.steps, '--steps');
  parseSteps(h.rewind, '--rewind');
  if (t.nesterov && (t.optimizer !== 'sgd' || t.momentum === 0)) throw new ConfigError('--nesterov needs --optimizer sgd and --momentum > 0');
  if (t.optimizer !== 'sgd' && t.momentum !== 0) throw new ConfigError(`--momentum applies to sgd only (optimizer is ${t.optimizer})`);
  if (h.pruning.strategy === 'layerwise' && h.pruning.ignore.length) throw new ConfigError('--prune-ignore applies to --pruning-strategy global');
}

/** Flat `group.key → value` view, used for hashing and display. */
export function flatten(h: LotteryHparams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f.group ? `${f.group}.${f.key}` : f.key] = f.group ? (h[f.group] as unknown as Record<string, unknown>)[f.key] : (h as unknown as Record<string, unknown>)[f.key];
  out['model.model'] = h.model.model;
  return out;
}

/** The fields that differ from the defaults (always including the model). */
export function nonDefaults(h: LotteryHparams, defaults: LotteryHparams): Record<string, unknown> {
  const a = flatten(h);
  const d = flatten(defaults);
  const out: Record<string, unknown> = { 'model.model': h.model.model };
  for (const k of Object.keys(a)) if (JSON.stringify(a[k]) !== JSON.stringify(d[k])) out[k] = a[k];
  return out;
}
