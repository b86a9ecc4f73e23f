// Step strings as in OpenLTH: `500it`, `2ep`, `2ep100it`, or a plain integer of iterations.
import { ConfigError } from './errors.js';

export interface StepCount {
  epochs: number;
  iterations: number;
}

export function parseSteps(text: string, what = 'steps'): StepCount {
  const s = String(text).trim();
  if (/^\d+$/.test(s)) return { epochs: 0, iterations: Number(s) };
  const m = /^(?:(\d+)ep)?(?:(\d+)it)?$/.exec(s);
  if (!m || (m[1] === undefined && m[2] === undefined))
    throw new ConfigError(`${what}: '${text}' is not a step count; use an integer or a string like 500it, 2ep, 2ep100it`);
  return { epochs: Number(m[1] ?? 0), iterations: Number(m[2] ?? 0) };
}

/** Total iterations given the iterations in one epoch. */
export function toIterations(c: StepCount, iterationsPerEpoch: number): number {
  return c.epochs * iterationsPerEpoch + c.iterations;
}

export function formatSteps(c: StepCount): string {
  if (c.epochs === 0) return `${c.iterations}it`;
  return c.iterations === 0 ? `${c.epochs}ep` : `${c.epochs}ep${c.iterations}it`;
}
