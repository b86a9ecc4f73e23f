// Which of many tests to reject at level alpha, given their p-values. Returned indices are ascending; p-values that
// tie are ordered by index, so the result is deterministic.
//
// Guarantees:
//   per-test:            each test alone has type-I error <= alpha; with N true nulls about alpha*N false rejections.
//   Holm (step-down):    family-wise error rate (any false rejection) <= alpha under any dependence between tests.
//   Benjamini-Hochberg:  false discovery rate (expected share of false rejections among rejections) <= alpha when
//                        the tests are independent or positively regression dependent; weaker, more powerful.
import { DataError } from '../util/errors.js';

type PValues = Float64Array | readonly number[];

export type SelectionProcedure = 'per-test' | 'holm' | 'benjamini-hochberg';

export const SELECTIONS: Record<SelectionProcedure, (pValues: PValues, alpha: number) => number[]> = {
  'per-test': selectPerTest,
  holm: selectHolm,
  'benjamini-hochberg': selectBenjaminiHochberg,
};

/** Every test with p <= alpha. */
export function selectPerTest(pValues: PValues, alpha: number): number[] {
  check(pValues, alpha);
  const selected: number[] = [];
  for (let i = 0; i < pValues.length; i++) if (pValues[i] <= alpha) selected.push(i);
  return selected;
}

/** Holm: walking up the sorted p-values, reject the k-th smallest (k from 0) while p <= alpha / (N - k). */
export function selectHolm(pValues: PValues, alpha: number): number[] {
  check(pValues, alpha);
  const order = ascending(pValues);
  const N = order.length;
  let k = 0;
  while (k < N && pValues[order[k]] <= alpha / (N - k)) k++;
  return sortedPrefix(order, k);
}

/** Benjamini-Hochberg: reject the k smallest for the largest k (1-based) with p_(k) <= alpha * k / N. */
export function selectBenjaminiHochberg(pValues: PValues, alpha: number): number[] {
  check(pValues, alpha);
  const order = ascending(pValues);
  const N = order.length;
  let k = N;
  while (k > 0 && !(pValues[order[k - 1]] <= alpha * (k / N))) k--;
  return sortedPrefix(order, k);
}

/** Indices sorted by p-value, ties by index. */
function ascending(pValues: PValues): Int32Array {
  const order = Int32Array.from({ length: pValues.length }, (_, i) => i);
  return order.sort((a, b) => pValues[a] - pValues[b] || a - b);
}

function sortedPrefix(order: Int32Array, k: number): number[] {
  return Array.from(order.subarray(0, k)).sort((a, b) => a - b);
}

function check(pValues: PValues, alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new DataError(`significance level alpha must be in (0, 1), got ${alpha}`);
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i];
    if (!(p >= 0 && p <= 1)) throw new DataError(`p-value ${i} must be in [0, 1], got ${p}`);
  }
}
