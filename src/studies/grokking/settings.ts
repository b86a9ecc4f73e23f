// The grokking study's settings (Minegishi et al., "Grokking Tickets"; reference code gouki510/Grokking-Tickets,
// branch arxiv_version): the task (a + b) mod p, the network, the reference's optimizer (AdamW, betas 0.9/0.98,
// full batch: one step per epoch), how long to train, and which control a run is. Checked here, so every bad value
// is one clear line before anything is stored.
import { familyOf } from '../../models/registry.js';
import { modularTrainSize } from '../../data/modular.js';
import { ConfigError } from '../../util/errors.js';

/** A run's kind: the dense network, its ticket, or one of the paper's controls at the ticket's layer densities. */
export const CONTROL_KINDS = [
  'dense',
  'ticket',
  'l1',
  'l2',
  'random',
  'snip',
  'grasp',
  'synflow',
  'checkpoint',
] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export interface Control {
  kind: ControlKind;
  /** checkpoint: the base epoch whose weights give the mask. */
  epoch?: number;
}

export interface GrokSettings {
  /** Registry name with its modulus, e.g. grok_mlp_67 or grok_transformer_67. */
  model: string;
  p: number;
  /** Share of the p(p+1)/2 unordered pairs that trains (the reference: 0.4). */
  trainFraction: number;
  lr: number;
  /** This run's AdamW weight decay; the dense base that masks come from always uses BASE_WEIGHT_DECAY. */
  weightDecay: number;
  /** At most this many epochs (the reference trains tickets up to 50,000). */
  epochs: number;
  /** Stop this many epochs after generalizing (0: train every epoch). */
  patience: number;
  seed: number;
  control: Control;
  /** Kept fraction of the ticket's global magnitude pruning (the reference's `sparsity` 0.4 = the paper's rate 0.6). */
  keep: number;
}

export const BASE_WEIGHT_DECAY = 1;
/** Train and test accuracy are measured every this many epochs; t_mem and t_gen have this resolution. */
export const EVAL_EVERY = 10;
/** The dense base keeps its weights every this many epochs (the reference's checkpoints for earlier masks). */
export const SNAPSHOT_EVERY = 2000;
/** Accuracy that counts as memorized (train) or generalized (test). */
export const REACHED = 0.95;

export const GROK_DEFAULTS = {
  trainFraction: 0.4,
  lr: 1e-3,
  weightDecay: BASE_WEIGHT_DECAY,
  epochs: 50_000,
  patience: 500,
  seed: 0,
  keep: 0.4,
} as const;

/** `dense`, `ticket`, …, or `checkpoint:<epoch>`. */
export function parseControl(s: string): Control {
  const m = /^checkpoint:(\d+)$/.exec(s);
  if (m) {
    const epoch = Number(m[1]);
    if (epoch < SNAPSHOT_EVERY || epoch % SNAPSHOT_EVERY !== 0)
      throw new ConfigError(
        `--control ${s}: the base keeps its weights every ${SNAPSHOT_EVERY} epochs, so give checkpoint:${SNAPSHOT_EVERY}, checkpoint:${2 * SNAPSHOT_EVERY}, …`,
      );
    return { kind: 'checkpoint', epoch };
  }
  if (s === 'checkpoint') throw new ConfigError(`--control checkpoint needs an epoch: checkpoint:${SNAPSHOT_EVERY}`);
  if (!(CONTROL_KINDS as readonly string[]).includes(s))
    throw new ConfigError(`unknown control '${s}'; choose one of ${CONTROL_KINDS.join(', ')} (checkpoint:<epoch>)`);
  return { kind: s as ControlKind };
}

export function controlName(c: Control): string {
  return c.kind === 'checkpoint' ? `checkpoint:${c.epoch}` : c.kind;
}

/** The model name for a family prefix or full name and a modulus: grok_mlp + 67 → grok_mlp_67. */
export function grokModelName(model: string, p: number | undefined): string {
  const m = /^(grok_mlp|grok_transformer)(?:_(\d+))?$/.exec(model);
  if (!m) throw new ConfigError(`the grokking study trains grok_mlp_<p> or grok_transformer_<p>, not '${model}'`);
  const named = m[2] === undefined ? undefined : Number(m[2]);
  if (named !== undefined && p !== undefined && named !== p)
    throw new ConfigError(`--model ${model} names p = ${named} but --p is ${p}`);
  const modulus = named ?? p ?? 67;
  const name = `${m[1]}_${modulus}`;
  familyOf(name); // validates the modulus the way the registry does
  return name;
}

export function validateSettings(s: GrokSettings): void {
  if (!Number.isInteger(s.p) || s.p < 3) throw new ConfigError(`--p must be an integer of at least 3, got ${s.p}`);
  if (!(s.trainFraction > 0 && s.trainFraction < 1))
    throw new ConfigError(`--train-fraction must be in (0, 1), got ${s.trainFraction}`);
  if (modularTrainSize(s.p, s.trainFraction) < 1)
    throw new ConfigError(`--train-fraction ${s.trainFraction} of p = ${s.p} leaves no training pairs`);
  if (!(s.lr > 0 && s.lr <= 1e6)) throw new ConfigError(`--lr must be in (0, 1e6], got ${s.lr}`);
  if (!(s.weightDecay >= 0 && s.weightDecay <= 100))
    throw new ConfigError(`--weight-decay must be in [0, 100], got ${s.weightDecay}`);
  if (!Number.isInteger(s.epochs) || s.epochs < 1 || s.epochs > 10_000_000)
    throw new ConfigError(`--epochs must be an integer in [1, 10000000], got ${s.epochs}`);
  if (!Number.isInteger(s.patience) || s.patience < 0)
    throw new ConfigError(`--patience must be a non-negative integer, got ${s.patience}`);
  if (!(s.keep > 0 && s.keep <= 1)) throw new ConfigError(`--keep must be in (0, 1], got ${s.keep}`);
  if (s.control.kind === 'checkpoint' && s.control.epoch! >= s.epochs)
    throw new ConfigError(`--control checkpoint:${s.control.epoch} is not before --epochs ${s.epochs}`);
}
