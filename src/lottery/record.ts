// What a finished level (of the trunk or a branch) stores as result.json, and its schema: a damaged or foreign file
// is rejected when read instead of becoming a result.
import { z } from 'zod';

const accuracy = z.number().min(0).max(1);

const curvePoint = z.object({
  step: z.number().int().min(0),
  train_loss: z.number().nullable(),
  val_loss: z.number().nullable(),
  val_accuracy: accuracy.nullable(),
  test_loss: z.number(),
  test_accuracy: accuracy,
});

const kernelChoice = z.object({
  layer: z.string(),
  density: z.number().min(0).max(1),
  kernel: z.enum(['dense', 'sparse']),
  dense_ms: z.number().nullable(),
  sparse_ms: z.number().nullable(),
  dense_median_ms: z.number().nullable().optional(),
  sparse_median_ms: z.number().nullable().optional(),
  note: z.string().optional(),
});

export const levelRecordSchema = z.object({
  experiment: z.string(),
  replicate: z.number().int().min(1),
  branch: z.string(),
  level: z.number().int().min(0),
  /** Fraction of prunable weights kept; a stored level never keeps nothing. */
  density: z.number().gt(0).max(1),
  layer_density: z.record(z.string(), z.number().min(0).max(1)),
  test_accuracy: accuracy,
  best_test_accuracy: accuracy,
  early_stop_step: z.number().int().min(0),
  early_stop_test_accuracy: accuracy,
  steps: z.number().int().min(0),
  seconds: z.number().min(0),
  reused: z.boolean(),
  dir: z.string(),
  kernels: z.array(kernelChoice),
  curve: z.array(curvePoint).min(1),
});

export type LevelRecord = z.infer<typeof levelRecordSchema>;
