// Strict parsers for flag values (CLI options and hyperparameter fields): a bad value is a ConfigError naming the flag, never NaN downstream.
import { ConfigError } from './errors.js';

/** Integers beyond this are typos, not intentions (and lose precision as doubles soon after). */
const MAX_INT = 1_000_000_000;

export function positiveInt(flag: string, max = MAX_INT) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
      throw new ConfigError(`${flag} must be a positive integer, got '${v}'`);
    if (Number(v) > max) throw new ConfigError(`${flag} must be at most ${max}, got '${v}'`);
    return Number(v);
  };
}

export function nonNegativeInt(flag: string, max = MAX_INT) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new ConfigError(`${flag} must be a non-negative integer, got '${v}'`);
    if (Number(v) > max) throw new ConfigError(`${flag} must be at most ${max}, got '${v}'`);
    return Number(v);
  };
}

export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (v: string): T => {
    if (!(choices as readonly string[]).includes(v))
      throw new ConfigError(`${flag} must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T;
  };
}

/** A finite decimal number (bounds are checked where the value is used, with the flag's name). */
export function finiteNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${flag} must be a number, got '${v}'`);
    return n;
  };
}
