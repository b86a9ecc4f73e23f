// Learning-rate schedules, composable as OpenLTH's are: linear warmup, then step decay at milestones
// (lr × gamma per milestone passed) or cosine annealing to a floor.
import { ConfigError } from '../util/errors.js';

export interface ScheduleConfig {
  /** Steps of linear warmup from lr/warmup to lr. */
  warmupSteps?: number;
  /** Steps at which lr is multiplied by gamma. */
  milestones?: readonly number[];
  gamma?: number;
  /** Cosine annealing over this many steps (after warmup) down to minLr. */
  cosineSteps?: number;
  minLr?: number;
}

export function validateSchedule(cfg: ScheduleConfig): void {
  if (cfg.warmupSteps !== undefined && !(Number.isInteger(cfg.warmupSteps) && cfg.warmupSteps >= 0))
    throw new ConfigError(`warmup steps must be a non-negative integer, got ${cfg.warmupSteps}`);
  if (cfg.gamma !== undefined && !(cfg.gamma > 0)) throw new ConfigError(`gamma must be > 0, got ${cfg.gamma}`);
  for (const m of cfg.milestones ?? [])
    if (!(Number.isInteger(m) && m > 0)) throw new ConfigError(`milestones must be positive integers, got ${m}`);
  if (cfg.cosineSteps !== undefined && !(Number.isInteger(cfg.cosineSteps) && cfg.cosineSteps > 0))
    throw new ConfigError(`cosine steps must be a positive integer, got ${cfg.cosineSteps}`);
  if (cfg.milestones?.length && cfg.cosineSteps)
    throw new ConfigError('choose milestones or cosine annealing, not both');
}

/** Learning rate for the step about to be taken (0-based). */
export function lrAt(baseLr: number, step: number, cfg: ScheduleConfig): number {
  let lr = baseLr;
  const warm = cfg.warmupSteps ?? 0;
  if (warm > 0 && step < warm) lr *= (step + 1) / warm;
  if (cfg.milestones?.length) {
    const gamma = cfg.gamma ?? 0.1;
    for (const m of cfg.milestones) if (step >= m) lr *= gamma;
  }
  if (cfg.cosineSteps) {
    const minLr = cfg.minLr ?? 0;
    const t = Math.min(Math.max(step - warm, 0), cfg.cosineSteps) / cfg.cosineSteps;
    lr = minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
  }
  return lr;
}
