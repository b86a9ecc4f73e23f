// A training checkpoint: model weights and buffers, optimizer state, and the loop's own state (step, time, callback
// states) in one safetensors file, written atomically, so a run killed at any point resumes bit-identically.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { loadTensors, saveTensors } from '../store/weights.js';
import { DataError } from '../util/errors.js';
import { warn } from '../util/warn.js';
import { parseJsonAs } from '../store/json.js';

export interface CheckpointSpec {
  file: string;
  /** Save every this many steps. */
  every: number;
  /** Metadata stored with it (kind, level, seed, …). */
  meta?: Record<string, string | number>;
  /** Called before every write (e.g. to check that the run's lock is still held). */
  beforeWrite?: () => void;
  /** The steps this run trains: a checkpoint outside [start, end) does not belong to it. */
  range?: { start: number; end: number };
}

const loopState = z.object({
  step: z.number().int().min(0),
  seconds: z.number().min(0),
  callbacks: z.record(z.string(), z.unknown()),
});
export type LoopState = z.infer<typeof loopState>;

export function saveCheckpoint(spec: CheckpointSpec, model: Module, optimizer: Optimizer, state: LoopState): void {
  spec.beforeWrite?.();
  const values = new Map<string, Float32Array>();
  for (const [n, v] of model.stateDict()) values.set(`model.${n}`, v);
  for (const [n, v] of optimizer.stateDict()) values.set(`optim.${n}`, v);
  saveTensors(spec.file, model, values, {
    ...spec.meta,
    kind: 'checkpoint',
    step: state.step,
    state: JSON.stringify(state),
  });
}

/**
 * Checks that a checkpoint can be resumed from (it is loaded into model and optimizer). A damaged one (truncated,
 * foreign, of another shape) is set aside as `<file>.damaged` with a warning, so the run restarts instead of being
 * blocked until someone deletes it by hand. Returns whether a usable checkpoint is there.
 */
export function probeCheckpoint(spec: CheckpointSpec, model: Module, optimizer: Optimizer): boolean {
  if (!fs.existsSync(spec.file)) return false;
  try {
    loadCheckpoint(spec, model, optimizer);
    return true;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    spec.beforeWrite?.();
    fs.renameSync(spec.file, `${spec.file}.damaged`);
    warn(
      `${e.message.replace(/; delete .*$/, '')}; set aside as ${path.basename(spec.file)}.damaged, training this run again from its start`,
    );
    return false;
  }
}

/** Restores model and optimizer from the checkpoint and returns the loop state; null when there is none. */
export function loadCheckpoint(spec: CheckpointSpec, model: Module, optimizer: Optimizer): LoopState | null {
  if (!fs.existsSync(spec.file)) return null;
  const ck = loadTensors(spec.file);
  const part = (prefix: string) =>
    new Map([...ck.values].filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n.slice(prefix.length), v]));
  const state = parseJsonAs(ck.metadata.state ?? 'null', `the loop state of ${spec.file}`, loopState, {
    advice: 'delete the file to restart this training run',
  });
  if (spec.range && (state.step < spec.range.start || state.step >= spec.range.end))
    throw new DataError(
      `${spec.file} is at step ${state.step}, outside this run's steps ${spec.range.start}–${spec.range.end}; delete it to restart this training run`,
    );
  try {
    model.loadStateDict(part('model.'));
    optimizer.loadStateDict(part('optim.'));
  } catch (e) {
    throw new DataError(
      `${spec.file} does not fit this run (${(e as Error).message}); delete it to restart this training run`,
    );
  }
  return state;
}
