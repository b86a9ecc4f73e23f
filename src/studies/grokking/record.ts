// A finished grokking run as stored in its result.json and printed as the last --json line (with the curve left
// out there). Checked when read back, so a damaged file is one clear error, never a wrong table.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJson } from '../../store/json.js';

const point = z.object({
  epoch: z.number().int().min(0),
  train_loss: z.number(),
  train_accuracy: z.number().min(0).max(1),
  test_loss: z.number(),
  test_accuracy: z.number().min(0).max(1),
  weight_norm: z.number().min(0),
});

export const grokResult = z.object({
  run: z.string(),
  control: z.string(),
  model: z.string(),
  seed: z.number().int().min(0),
  /** First measured epoch with train (test) accuracy ≥ 95%; null when never reached. */
  t_mem: z.number().int().min(0).nullable(),
  t_gen: z.number().int().min(0).nullable(),
  final_train_accuracy: z.number().min(0).max(1),
  final_test_accuracy: z.number().min(0).max(1),
  /** Epochs trained (fewer than --epochs when the run stopped after generalizing). */
  epochs: z.number().int().min(1),
  seconds: z.number().min(0),
  /** Fraction of prunable weights kept (1: dense). */
  density: z.number().gt(0).max(1),
  weight_decay: z.number().min(0),
  /** The ticket's kept fraction the run's mask or norm was matched to (null for the dense base). */
  keep: z.number().gt(0).max(1).nullable(),
  curve: z.array(point).min(1),
});

export type GrokResult = z.infer<typeof grokResult> & { reused: boolean; dir: string };

/** The finished run in `dir`, or null when it has not finished. */
export function storedGrokResult(dir: string): GrokResult | null {
  const file = path.join(dir, 'result.json');
  return fs.existsSync(file) ? { ...readJson(file, grokResult), reused: true, dir } : null;
}
