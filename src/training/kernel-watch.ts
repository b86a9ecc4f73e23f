// Checks the dispatcher's choices (nn/dispatch.ts) on the real steps of a run: the kernels were chosen from timings
// taken before training, on random inputs and at one moment of a machine whose speed drifts, and such a choice can
// be wrong either way (a LeNet level at 51% density once trained 11% slower than the dense level 0 on sparse picks,
// and at 33% on 2 threads the dense pick, 4% ahead when timed, trained 10-25% slower than fc1 sparse). The
// alternative to the choice is all-dense when anything was picked sparse; when everything was picked dense, it is the
// close calls made sparse: layers whose sparse timing came within CLOSE of their dense one (none: nothing to check).
// After a few warm-up steps the watch alternates blocks of steps on the chosen kernels and on the alternative, then
// keeps whichever ran faster (median step time, the first step of each block left out: it pays for the switch).
// Which kernel trains each step of the watch is fixed by the step number; only the verdict depends on the clock. It
// is recorded with the kernel choices (and checkpointed), so a resumed run continues as it was, and cached per
// machine under the choices it judged (nn/kernel-cache.ts), so a rerun of the same level reaches the same verdict
// and trains bit-identically.
import crypto from 'node:crypto';
import { applyKernelChoices, type KernelChoice } from '../nn/dispatch.js';
import { buildKey, readCache, watchEntryOf, writeEntries, type WatchEntry } from '../nn/kernel-cache.js';
import type { Module } from '../nn/module.js';
import { median } from '../stats/median.js';
import type { Callback, StepEnd } from './loop.js';

export interface KernelWatchOptions {
  /** Steps before the watch starts (the first steps warm caches and the allocator). */
  warmup?: number;
  /** Steps per block, and blocks (alternately chosen and dense kernels). */
  block?: number;
  blocks?: number;
  /** The alternative must be faster by this fraction to replace the choice (noise is not a reason to switch). */
  margin?: number;
}

/** A dense pick is a close call when its layer's sparse timing was at most this much slower. */
export const CLOSE = 0.25;

interface WatchState {
  chosen: number[];
  /** Step times on the alternative (named for the all-dense alternative, the first the watch had). */
  dense: number[];
  verdict: 'kept' | 'dense' | 'sparse' | null;
}

/** The configuration the choice is checked against, or null when there is none worth checking. */
function alternative(kernels: readonly KernelChoice[]): { choices: KernelChoice[]; name: string } | null {
  if (kernels.some((c) => c.kernel === 'sparse'))
    return { choices: kernels.map((c) => ({ ...c, kernel: 'dense' })), name: 'all-dense' };
  const close = (c: KernelChoice) =>
    c.dense_ms !== null && c.sparse_ms !== null && c.sparse_ms <= c.dense_ms * (1 + CLOSE);
  const flip = kernels.filter(close).map((c) => c.layer);
  if (flip.length === 0) return null;
  return {
    choices: kernels.map((c) => (close(c) ? { ...c, kernel: 'sparse' } : c)),
    name: `with ${flip.join(', ')} sparse`,
  };
}

/** Steps a watch needs after the start; runs shorter than a few times this are not watched. */
export function watchSteps(o: KernelWatchOptions = {}): number {
  return (o.warmup ?? 10) + (o.block ?? 10) * (o.blocks ?? 10);
}

/** The cache key of a verdict on these choices: the build, and each layer's density, pick and timings. */
function watchKey(kernels: readonly KernelChoice[]): string {
  const what = kernels.map((c) => [c.layer, c.density, c.kernel, c.dense_ms, c.sparse_ms]);
  const digest = crypto.createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
  return `${buildKey()}:watch:${digest}`;
}

/** The cached verdict on these choices, or the one the medians give (then cached). */
function verdictOn(kernels: readonly KernelChoice[], chosen: number[], other: number[], margin: number): WatchEntry {
  const key = watchKey(kernels);
  const cached = watchEntryOf(readCache()[key]);
  if (cached) return cached;
  const c = median(chosen);
  const o = median(other);
  const entry: WatchEntry = {
    kind: 'watch',
    switched: o < c * (1 - margin),
    chosen_ms: +c.toFixed(4),
    other_ms: +o.toFixed(4),
    samples: [chosen.length, other.length],
  };
  writeEntries({ [key]: entry });
  return entry;
}

/**
 * A callback that verifies the choices in `kernels` (changed in place when the alternative wins) on the run's own
 * steps from `startStep`. Without an alternative worth checking it does nothing.
 */
export function kernelWatch(
  model: Module,
  kernels: () => KernelChoice[],
  startStep: number,
  o: KernelWatchOptions = {},
): Callback {
  const warmup = o.warmup ?? 10;
  const block = o.block ?? 10;
  const margin = o.margin ?? 0.03;
  const end = startStep + watchSteps(o);
  let s: WatchState = { chosen: [], dense: [], verdict: null };

  // Block of the step about to run (steps counted from 0 at startStep), or -1 outside the watch.
  const blockOf = (step: number) =>
    step < startStep + warmup || step >= end ? -1 : Math.floor((step - startStep - warmup) / block);
  const configure = (step: number) => {
    const b = blockOf(step);
    const other = s.verdict === null && b >= 0 && b % 2 === 1 ? alternative(kernels()) : null;
    applyKernelChoices(model, other ? other.choices : kernels());
  };

  return {
    name: 'kernel-watch',
    start(step) {
      configure(step);
    },
    afterStep(e: StepEnd) {
      if (s.verdict !== null) return;
      const other = alternative(kernels());
      if (!other) {
        s.verdict = 'kept';
        return;
      }
      const ran = e.step - 1;
      const b = blockOf(ran);
      if (b >= 0 && (ran - startStep - warmup) % block !== 0) (b % 2 === 0 ? s.chosen : s.dense).push(e.seconds * 1e3);
      if (e.step >= end) {
        const v = verdictOn(kernels(), s.chosen, s.dense, margin);
        const switched = v.switched;
        const note = `real steps: ${v.chosen_ms.toFixed(3)} ms as chosen, ${v.other_ms.toFixed(3)} ms ${other.name} (medians of ${v.samples[0]} and ${v.samples[1]})`;
        const toSparse = other.name !== 'all-dense';
        s.verdict = !switched ? 'kept' : toSparse ? 'sparse' : 'dense';
        const next = new Map(other.choices.map((c) => [c.layer, c.kernel]));
        for (const c of kernels())
          if (next.get(c.layer) !== c.kernel) {
            c.real_steps = note;
            if (switched) {
              c.kernel = next.get(c.layer)!;
              c.note = `${note}: switched to ${c.kernel}`;
            }
          }
      }
      configure(e.step);
    },
    state: () => s,
    restore(v) {
      const w = v as WatchState | undefined;
      if (w && Array.isArray(w.chosen) && Array.isArray(w.dense))
        s = { chosen: w.chosen, dense: w.dense, verdict: w.verdict };
    },
  };
}
