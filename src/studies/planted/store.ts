// Planted run directories:
//   <root>/planted_<hash>/meta.json            task, seeds, widths, output scale, densities, target quality
//   <root>/planted_<hash>/planted.safetensors  the mother network with the target planted in it (weights and biases)
//   <root>/planted_<hash>/mask.safetensors     the ground-truth mask (the planted edges)
//   <root>/planted_<hash>/target.safetensors   the target network (F64, its own shapes)
// The hash covers task, depth, width and seed, which determine everything else, and the planting version, so runs
// planted by older code (another fallback rule or target layout) are not found again. meta.json is written last, so a
// directory without it is an interrupted write and is redone.
import fs from 'node:fs';
import path from 'node:path';
import { ensureWritableDir, writeFileAtomic } from '../../store/atomic.js';
import { loadSafetensors, saveSafetensors, type Tensor as StTensor } from '../../store/safetensors.js';
import { experimentDir } from '../../store/experiment-dir.js';
import { loadMasks, loadTensors, saveMasks, saveTensors } from '../../store/weights.js';
import { DataError, UserError } from '../../util/errors.js';
import type { Masks } from '../../pruning/masks.js';
import { PlantedMlp, biasName, weightName } from './mlp.js';
import type { TargetNet } from './targets.js';
import type { Score } from './score.js';
import { TASK_NAMES, type TaskName } from './tasks.js';
import { readJson } from '../../store/json.js';
import { z } from 'zod';

export const PLANTED_FILES = {
  meta: 'meta.json',
  planted: 'planted.safetensors',
  mask: 'mask.safetensors',
  target: 'target.safetensors',
} as const;

export interface PlantSpec {
  task: TaskName;
  depth: number;
  width: number;
  seed: number;
}

export interface PlantedMeta extends PlantSpec {
  /** Seed of the task's data stream (the data is regenerated from it, not stored). */
  task_seed: number;
  widths: number[];
  target_widths: number[];
  /** Planted ticket = net(x) / scale, per output. */
  scale: number[];
  planted_edges: number;
  total_weights: number;
  density: number;
  layer_densities: Record<string, number>;
  /** Per weight matrix: target neurons planted without sign agreement (usual only in the output layer). */
  fallbacks: number[];
  target_train: Score;
  target_test: Score;
}

const score = z.object({
  loss: z.number(),
  loss_rescaled: z.number().optional(),
  accuracy: z.number().min(0).max(1).optional(),
});
const positive = z.number().int().min(1);
export const plantedMetaSchema = z.object({
  task: z.enum(TASK_NAMES),
  depth: positive.max(100),
  width: positive.max(10_000),
  seed: z.number().int().min(0),
  task_seed: z.number().int().min(0),
  widths: z.array(positive).min(2),
  target_widths: z.array(positive).min(2),
  scale: z.array(z.number().gt(0)),
  planted_edges: positive,
  total_weights: positive,
  density: z.number().gt(0).max(1),
  layer_densities: z.record(z.string(), z.number().min(0).max(1)),
  fallbacks: z.array(z.number().int().min(0)),
  target_train: score,
  target_test: score,
});

export interface PlantedRun {
  dir: string;
  meta: PlantedMeta;
  /** Mother net with the planted target, as parameters by name. */
  params: Map<string, Float32Array>;
  mask: Masks;
  target: TargetNet;
}

/** Bumped whenever planting or the targets change what a spec plants. 2: the reference's fallback and helix layout. */
export const PLANTING_VERSION = 2;

export function plantedDir(root: string, spec: PlantSpec): string {
  const { task, depth, width, seed } = spec;
  return experimentDir(root, 'planted', { task, depth, width, seed, planting: PLANTING_VERSION }).dir;
}

export function savePlantedRun(run: PlantedRun): void {
  ensureWritableDir(run.dir, 'planted run directory');
  const model = new PlantedMlp(run.meta.widths);
  const meta = { kind: 'planted', task: run.meta.task, seed: run.meta.seed };
  saveTensors(path.join(run.dir, PLANTED_FILES.planted), model, run.params, meta);
  saveMasks(path.join(run.dir, PLANTED_FILES.mask), model, run.mask, { ...meta, density: run.meta.density });
  const t = run.target;
  const tensors: Record<string, StTensor> = {};
  t.weights.forEach((w, l) => {
    tensors[weightName(l)] = { dtype: 'F64', shape: [t.widths[l + 1]!, t.widths[l]!], data: w };
    tensors[biasName(l)] = { dtype: 'F64', shape: [t.widths[l + 1]!], data: t.biases[l]! };
  });
  saveSafetensors(path.join(run.dir, PLANTED_FILES.target), tensors, {
    format: 'ticketlab',
    kind: 'planted-target',
    task: t.task,
  });
  writeFileAtomic(path.join(run.dir, PLANTED_FILES.meta), `${JSON.stringify(run.meta, null, 2)}\n`);
}

export function isPlantedRun(dir: string): boolean {
  return fs.existsSync(path.join(dir, PLANTED_FILES.meta));
}

/** Resolves `run` as a directory, or as a run name (planted_<hash>) under `root`. */
export function resolvePlantedDir(run: string, root: string): string {
  for (const dir of [run, path.join(root, run)]) if (isPlantedRun(dir)) return dir;
  throw new UserError(
    `no planted run at '${run}' (expected a directory with ${PLANTED_FILES.meta}; create one with 'ticketlab plant')`,
  );
}

export function loadPlantedRun(dir: string): PlantedRun {
  const meta: PlantedMeta = readJson(path.join(dir, PLANTED_FILES.meta), plantedMetaSchema);
  const model = new PlantedMlp(meta.widths);
  const { values } = loadTensors(path.join(dir, PLANTED_FILES.planted));
  for (const [n, p] of model.namedParameters()) {
    const v = values.get(n);
    if (!v || v.length !== p.size)
      throw new DataError(`${dir}: planted network is missing '${n}' or has the wrong size`);
  }
  const mask = loadMasks(path.join(dir, PLANTED_FILES.mask), model);
  const st = loadSafetensors(path.join(dir, PLANTED_FILES.target));
  const L = meta.target_widths.length - 1;
  const get = (n: string): Float64Array => {
    const t = st.tensors[n];
    if (!t || t.dtype !== 'F64') throw new DataError(`${dir}: target is missing '${n}' (F64)`);
    return t.data as Float64Array;
  };
  const target: TargetNet = {
    task: meta.task,
    widths: meta.target_widths,
    weights: Array.from({ length: L }, (_, l) => get(weightName(l))),
    biases: Array.from({ length: L }, (_, l) => get(biasName(l))),
  };
  return { dir, meta, params: values, mask, target };
}
