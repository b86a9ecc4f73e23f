// Step strings as in OpenLTH: `500it`, `2ep`, `2ep100it`, or a plain integer of iterations.
import { ConfigError } from './errors.js';

export interface StepCount {
  epochs: number;
  iterations: number;
}

/** Bounds that keep a typo (an extra digit or ten) from starting a run that never ends. */
export const MAX_ITERATIONS = 1e9;
export const MAX_EPOCHS = 1e6;

export function parseSteps(text: string, what = 'steps'): StepCount {
  const s = String(text).trim();
  const m = /^(?:(\d+)ep)?(?:(\d+)(?:it)?)?$/.exec(s);
  if (
    !m ||
    (m[1] === undefined && m[2] === undefined) ||
    (m[1] !== undefined && m[2] !== undefined && !s.endsWith('it'))
  )
    throw new ConfigError(
      `${what}: '${text}' is not a step count; use an integer or a string like 500it, 2ep, 2ep100it`,
    );
  const c = { epochs: Number(m[1] ?? 0), iterations: Number(m[2] ?? 0) };
  if (c.iterations > MAX_ITERATIONS || c.epochs > MAX_EPOCHS)
    throw new ConfigError(
      `${what}: '${text}' is too long (at most ${MAX_EPOCHS} epochs and ${MAX_ITERATIONS} iterations)`,
    );
  return c;
}

/** Total iterations given the iterations in one epoch. */
export function toIterations(c: StepCount, iterationsPerEpoch: number): number {
  return c.epochs * iterationsPerEpoch + c.iterations;
}

/** The canonical spelling of a step count: `500it`, `2ep`, `2ep100it`. */
export function formatSteps(c: StepCount): string {
  if (c.epochs === 0) return `${c.iterations}it`;
  return c.iterations === 0 ? `${c.epochs}ep` : `${c.epochs}ep${c.iterations}it`;
}
