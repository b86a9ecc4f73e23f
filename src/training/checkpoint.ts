// A training checkpoint: model weights and buffers, optimizer state, and the loop's own state (step, time, callback
// states) in one safetensors file, written atomically, so a run killed at any point resumes bit-identically.
import fs from 'node:fs';
import { z } from 'zod';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../nn/optim/optimizer.js';
import { loadTensors, saveTensors } from '../store/weights.js';
import { DataError } from '../util/errors.js';

export interface CheckpointSpec {
  file: string;
  /** Save every this many steps. */
  every: number;
  /** Metadata stored with it (kind, level, seed, …). */
  meta?: Record<string, string | number>;
  /** Called before every write (e.g. to check that the run's lock is still held). */
  beforeWrite?: () => void;
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
  saveTensors(spec.file, model, values, { ...spec.meta, kind: 'checkpoint', step: state.step, state: JSON.stringify(state) });
}

/** Restores model and optimizer from the checkpoint and returns the loop state; null when there is none. */
export function loadCheckpoint(spec: CheckpointSpec, model: Module, optimizer: Optimizer): LoopState | null {
  if (!fs.existsSync(spec.file)) return null;
  const ck = loadTensors(spec.file);
  const part = (prefix: string) => new Map([...ck.values].filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n.slice(prefix.length), v]));
  let state: LoopState;
  try {
    state = loopState.parse(JSON.parse(ck.metadata.state ?? 'null'));
  } catch {
    throw new DataError(`${spec.file}: the checkpoint's loop state is missing or damaged; delete the file to restart this training run`);
  }
  try {
    model.loadStateDict(part('model.'));
    optimizer.loadStateDict(part('optim.'));
  } catch (e) {
    throw new DataError(`${spec.file} does not fit this run (${(e as Error).message}); delete it to restart this training run`);
  }
  return state;
}
