// Checks the dispatcher's sparse picks (nn/dispatch.ts) on the real steps of a run: the kernels were chosen from
// timings taken before training, on random inputs and at one moment of a machine whose speed drifts, and such a
// choice can be wrong (a LeNet level at 51% density once trained 11% slower than the dense level 0 on 2 threads).
// After a few warm-up steps the watch alternates blocks of steps on the chosen kernels and on dense ones, then keeps
// whichever ran faster (median step time, the first step of each block left out: it pays for the switch). Which
// kernel trains each step of the watch is fixed by the step number; only the verdict depends on the clock, and it is
// recorded with the kernel choices (and checkpointed), so a resumed run continues as it was.
import { applyKernelChoices, type KernelChoice } from '../nn/dispatch.js';
import type { Module } from '../nn/module.js';
import { median } from '../stats/median.js';
import type { Callback, StepEnd } from './loop.js';

export interface KernelWatchOptions {
  /** Steps before the watch starts (the first steps warm caches and the allocator). */
  warmup?: number;
  /** Steps per block, and blocks (alternately chosen and dense kernels). */
  block?: number;
  blocks?: number;
  /** Dense must be faster by this fraction to replace the choice (measurement noise is not a reason to switch). */
  margin?: number;
}

interface WatchState {
  chosen: number[];
  dense: number[];
  verdict: 'kept' | 'dense' | null;
}

/** Steps a watch needs after the start; runs shorter than a few times this are not watched. */
export function watchSteps(o: KernelWatchOptions = {}): number {
  return (o.warmup ?? 10) + (o.block ?? 10) * (o.blocks ?? 10);
}

/**
 * A callback that verifies the sparse picks in `kernels` (changed in place when dense wins) on the run's own steps
 * from `startStep`. Without a sparse pick it does nothing.
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
    if (s.verdict !== null || b < 0 || b % 2 === 0) applyKernelChoices(model, kernels());
    else
      applyKernelChoices(
        model,
        kernels().map((c) => ({ ...c, kernel: 'dense' })),
      );
  };

  return {
    name: 'kernel-watch',
    start(step) {
      configure(step);
    },
    afterStep(e: StepEnd) {
      if (s.verdict !== null) return;
      if (!kernels().some((c) => c.kernel === 'sparse')) {
        s.verdict = 'kept';
        return;
      }
      const ran = e.step - 1;
      const b = blockOf(ran);
      if (b >= 0 && (ran - startStep - warmup) % block !== 0) (b % 2 === 0 ? s.chosen : s.dense).push(e.seconds * 1e3);
      if (e.step >= end) {
        const chosen = median(s.chosen);
        const dense = median(s.dense);
        const switchToDense = dense < chosen * (1 - margin);
        s.verdict = switchToDense ? 'dense' : 'kept';
        const note = `real steps: ${chosen.toFixed(3)} ms as chosen, ${dense.toFixed(3)} ms all-dense (medians of ${s.chosen.length} and ${s.dense.length})`;
        for (const c of kernels())
          if (c.kernel === 'sparse') {
            c.real_steps = note;
            if (switchToDense) {
              c.kernel = 'dense';
              c.note = `${note}: switched to dense`;
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
