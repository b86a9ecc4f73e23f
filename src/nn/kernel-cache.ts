// The per-machine cache of kernel choices (~/.ticketlab/kernel-choices.json, or TICKETLAB_KERNEL_CACHE). Dense and
// sparse kernels round differently, so a choice once measured is kept: the same layer, input, mask size, optimizer
// and build always get the same kernel (and the kernel watch's verdict on those choices stands), which keeps reruns
// bit-identical. Keys name the build (vector width, GEMM
// backend, kernel threads), so new kernels or another thread count are timed afresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { native } from '../engine/native.js';

const layerEntry = z.object({
  kind: z.literal('layer').default('layer'),
  kernel: z.enum(['dense', 'sparse']),
  dense_ms: z.number(),
  sparse_ms: z.number(),
  dense_median_ms: z.number(),
  sparse_median_ms: z.number(),
  /** Timed again because it contradicted the density order of the same layer's other entries. */
  retimed: z.boolean().optional(),
});

const stepEntry = z.object({
  kind: z.literal('step'),
  /**
   * Whether the layers' own choices stand (`layers`), only some of them pay in the whole step (`some`: the layers
   * whose cache keys are in `sparse` stay sparse) or the whole step runs faster on dense kernels (`dense`).
   */
  use: z.enum(['layers', 'some', 'dense']),
  sparse: z.array(z.string()).optional(),
  layers_ms: z.number(),
  dense_ms: z.number(),
  /** The chosen configuration's step, when it is neither of the two above. */
  some_ms: z.number().optional(),
});

/**
 * The kernel watch's verdict on a level's choices (training/kernel-watch.ts), with the medians it was drawn from: a
 * rerun of the same choices on this machine reaches the same verdict instead of reading the clock again.
 */
const watchEntry = z.object({
  kind: z.literal('watch'),
  switched: z.boolean(),
  chosen_ms: z.number(),
  other_ms: z.number(),
  samples: z.tuple([z.number(), z.number()]),
});

export type LayerEntry = z.infer<typeof layerEntry>;
export type StepEntry = z.infer<typeof stepEntry>;
export type WatchEntry = z.infer<typeof watchEntry>;
type Entry = LayerEntry | StepEntry | WatchEntry;

function cacheFile(): string {
  return process.env.TICKETLAB_KERNEL_CACHE ?? path.join(os.homedir(), '.ticketlab', 'kernel-choices.json');
}

/**
 * What the cache keys start with: the format version and the build the timings hold for. The version goes up when
 * the kernels or the way they are timed change, so choices timed before are not reused (v5: column-blocked sparse
 * linear kernels, and a sparse fc1 timed on the feature-major input training gives it; v6: a sparse first layer's
 * weight gradient sums four dot products at a time on AVX-512).
 */
export function buildKey(): string {
  const i = native.info();
  return `v6:${i.simd}:${i.gemm}:t${i.threads}`;
}

/** The cached entries; a missing or damaged cache is empty (choices are measured again and the cache rewritten). */
export function readCache(): Record<string, Entry> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(cacheFile(), 'utf8'));
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Record<string, Entry> = {};
  // Entries of older formats are dropped one by one; the rest are kept.
  for (const [k, v] of Object.entries(raw)) {
    const r = z.union([stepEntry, watchEntry, layerEntry]).safeParse(v);
    if (r.success) out[k] = r.data;
  }
  return out;
}

/** Adds entries to the cache (written to a temp file, then renamed). */
export function writeEntries(entries: Record<string, Entry>): void {
  try {
    const file = cacheFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ ...readCache(), ...entries }, null, 1));
    fs.renameSync(tmp, file);
  } catch {
    // An unwritable cache only costs re-measuring next time.
  }
}

export function layerEntryOf(e: Entry | undefined): LayerEntry | undefined {
  return e && e.kind === 'layer' ? e : undefined;
}

export function stepEntryOf(e: Entry | undefined): StepEntry | undefined {
  return e && e.kind === 'step' ? e : undefined;
}

export function watchEntryOf(e: Entry | undefined): WatchEntry | undefined {
  return e && e.kind === 'watch' ? e : undefined;
}

/**
 * True when a layer's cached choice contradicts the density order of the same layer's other cached entries (same
 * shape, input and optimizer): sparse chosen where a sparser mask got dense, or dense where a denser mask got
 * sparse. One of the two was timed under load; the entry is timed again, once (`retimed`), so reruns stay stable.
 */
export function contradicts(cache: Record<string, Entry>, key: string, entry: LayerEntry): boolean {
  if (entry.retimed) return false;
  const m = /^(.*\/nnz)(\d+)(\/.*)$/.exec(key);
  if (!m) return false;
  const nnz = Number(m[2]);
  for (const [k, e] of Object.entries(cache)) {
    const o = /^(.*\/nnz)(\d+)(\/.*)$/.exec(k);
    const other = layerEntryOf(e);
    if (!o || !other || o[1] !== m[1] || o[3] !== m[3]) continue;
    const otherNnz = Number(o[2]);
    if (entry.kernel === 'sparse' && other.kernel === 'dense' && otherNnz < nnz) return true;
    if (entry.kernel === 'dense' && other.kernel === 'sparse' && otherNnz > nnz) return true;
  }
  return false;
}
