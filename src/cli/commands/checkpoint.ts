// `ticketlab checkpoint PATH [--tensor NAME]`: lists a safetensors checkpoint's tensors (single file or sharded)
// from the headers alone, or reads one tensor and summarizes it. Either way only the bytes needed are read.
import path from 'node:path';
import type { Command } from 'commander';
import type { TensorEntry } from '../../checkpoints/header.js';
import { openCheckpoint, readCheckpointTensor, type Checkpoint } from '../../checkpoints/open.js';
import { summarizeTensor } from '../../checkpoints/summary.js';
import { emit, say, type GlobalOptions } from '../output.js';

export function checkpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description('list the tensors of a safetensors checkpoint (one file or sharded), or summarize one tensor')
    .argument('<path>', 'a .safetensors file, a model.safetensors.index.json, or a directory holding either')
    .option('--tensor <name>', 'read this tensor and show its shape, dtype, min/max/mean/std and first values')
    .action((location: string, o: { tensor?: string }) => {
      const g = program.opts<GlobalOptions>();
      const checkpoint = openCheckpoint(location);
      if (o.tensor === undefined) listTensors(g, checkpoint);
      else showTensor(g, checkpoint, o.tensor);
    });
}

/** A checkpoint file as the index names it (relative to the index's directory). */
function shardOf(checkpoint: Checkpoint, file: string): string {
  return path.relative(path.dirname(checkpoint.source), file);
}

/** Widest of `texts`, at least `min` (a loop: spreading 100k names into Math.max overflows the stack). */
function width(texts: string[], min: number): number {
  return texts.reduce((w, t) => Math.max(w, t.length), min);
}

function tensorRow(checkpoint: Checkpoint, entry: TensorEntry) {
  const parameters = entry.shape.reduce((a, b) => a * b, 1);
  return {
    name: entry.name,
    dtype: entry.dtype,
    shape: entry.shape,
    parameters,
    bytes: entry.bytes,
    shard: shardOf(checkpoint, entry.file),
  };
}

type Tally = { tensors: number; parameters: number; bytes: number };

/** Totals over all rows and per dtype. */
function tally(rows: ReturnType<typeof tensorRow>[]): { totals: Tally; byDtype: Record<string, Tally> } {
  const totals: Tally = { tensors: 0, parameters: 0, bytes: 0 };
  const byDtype: Record<string, Tally> = {};
  for (const r of rows) {
    for (const t of [totals, (byDtype[r.dtype] ??= { tensors: 0, parameters: 0, bytes: 0 })]) {
      t.tensors++;
      t.parameters += r.parameters;
      t.bytes += r.bytes;
    }
  }
  return { totals, byDtype };
}

function listTensors(g: GlobalOptions, checkpoint: Checkpoint): void {
  const rows = [...checkpoint.tensors.values()].map((e) => tensorRow(checkpoint, e));
  const { totals, byDtype } = tally(rows);
  if (g.json) {
    const files = checkpoint.files.map((f) => shardOf(checkpoint, f));
    return emit(g, {
      checkpoint: checkpoint.source,
      sharded: checkpoint.sharded,
      files,
      tensors: rows,
      totals,
      dtypes: byDtype,
    });
  }
  const shape = (r: { shape: number[] }) => `[${r.shape.join(', ')}]`;
  const wName = width(
    rows.map((r) => r.name),
    4,
  );
  const wShape = width(rows.map(shape), 5);
  const wParams = width(
    rows.map((r) => String(r.parameters)),
    10,
  );
  const files = checkpoint.sharded ? `${checkpoint.files.length} shards` : '1 file';
  say(
    g,
    `${checkpoint.source}: ${files}, ${totals.tensors} tensors, ${totals.parameters} parameters, ${bytes(totals.bytes)}`,
  );
  say(g, `${'name'.padEnd(wName)}  dtype  ${'shape'.padEnd(wShape)}  ${'parameters'.padStart(wParams)}  shard`);
  for (const r of rows) {
    say(
      g,
      `${r.name.padEnd(wName)}  ${r.dtype.padEnd(5)}  ${shape(r).padEnd(wShape)}  ${String(r.parameters).padStart(wParams)}  ${r.shard}`,
    );
  }
  const perDtype = Object.entries(byDtype).map(
    ([d, t]) => `${d}: ${t.tensors} tensors, ${t.parameters} parameters, ${bytes(t.bytes)}`,
  );
  say(g, `total: ${perDtype.join('; ')}`);
}

function showTensor(g: GlobalOptions, checkpoint: Checkpoint, name: string): void {
  const values = readCheckpointTensor(checkpoint, name);
  const row = tensorRow(checkpoint, checkpoint.tensors.get(name)!);
  const s = summarizeTensor(values.data);
  if (g.json) {
    return emit(g, {
      checkpoint: checkpoint.source,
      ...row,
      min: s.min,
      max: s.max,
      mean: s.mean,
      std: s.std,
      non_finite: s.nonFinite,
      first: s.first,
    });
  }
  const num = (v: number | null) => (v === null ? '—' : String(Number(v.toPrecision(6))));
  say(
    g,
    `${row.name}: ${row.dtype} [${row.shape.join(', ')}], ${row.parameters} parameters, ${bytes(row.bytes)} in ${row.shard}`,
  );
  say(g, `min ${num(s.min)}  max ${num(s.max)}  mean ${num(s.mean)}  std ${num(s.std)}`);
  if (s.nonFinite > 0) say(g, `${s.nonFinite} values are NaN or infinite (left out of the statistics)`);
  say(g, `first ${s.first.length}: ${s.first.map(num).join(' ')}`);
}

function bytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(2)} ${units[i]}`;
}
