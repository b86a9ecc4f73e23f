// The LTP ticket (Li & Luo 2024): the fraction `keep` of the parameters that changed most between a model and its
// masked-LM fine-tuned copy, |θ_after − θ_before| largest first, ties to the lower index, over all selected tensors
// together (global) or within each tensor (per-layer). Both checkpoints are streamed three times (two counting passes
// and the mask), so memory stays a few megabytes whatever their size.
import { ConfigError, DataError } from '../util/errors.js';
import type { Checkpoint } from '../checkpoints/open.js';
import { CHANGE_BLOCK, ChangeReader } from './change-blocks.js';
import { MaskFileWriter } from './mask-file.js';
import { layerPattern, pairTensors, type TensorPair } from './tensor-pairs.js';
import { MaskCutter, topKThreshold, type KeyScan } from './top-k-threshold.js';

export const LTP_SCOPES = ['global', 'per-layer'] as const;
export type LtpScope = (typeof LTP_SCOPES)[number];

/** Passes over each tensor: two counting passes and the mask. */
export const PASSES = 3;

export interface ChangeMaskOptions {
  /** Fraction of the parameters in scope to keep, in (0, 1]; the paper keeps 0.2. */
  keep: number;
  scope: LtpScope;
  /** A RegExp source searched for in tensor names; default: floating-point tensors of two or more dimensions. */
  layers?: string;
  /** The mask file to write (.safetensors); an existing file is refused. */
  out: string;
  /** Tensor passes done, of tensors × PASSES. */
  onProgress?: (done: number, total: number) => void;
}

export interface TensorKept {
  name: string;
  kept: number;
  total: number;
  fraction: number;
}

export interface ChangeMaskResult {
  out: string;
  kept: number;
  total: number;
  /** Sorted by name: the order of the mask's global index. */
  tensors: TensorKept[];
}

/** Writes the LTP mask of `before` → `after` to `opts.out` (see ChangeMaskOptions). */
export function ltpChangeMask(before: Checkpoint, after: Checkpoint, opts: ChangeMaskOptions): ChangeMaskResult {
  if (!(opts.keep > 0 && opts.keep <= 1)) throw new ConfigError(`--keep must lie in (0, 1], got ${opts.keep}`);
  if (!LTP_SCOPES.includes(opts.scope))
    throw new ConfigError(`--scope must be one of ${LTP_SCOPES.join(', ')}, got '${opts.scope}'`);
  const pairs = pairTensors(before, after, opts.layers === undefined ? undefined : layerPattern(opts.layers));
  const metadata = {
    format: 'pt',
    kind: 'ltp-mask',
    keep: String(opts.keep),
    scope: opts.scope,
    pattern: opts.layers ?? '',
  };
  const writer = MaskFileWriter.create(opts.out, pairs, metadata);
  try {
    const reader = new ChangeReader(before.source, after.source);
    const progress = new PassProgress(pairs.length, opts.onProgress);
    const kept =
      opts.scope === 'global'
        ? maskGroup(pairs, opts.keep, reader, writer, progress)
        : pairs.map((p) => maskGroup([p], opts.keep, reader, writer, progress)).flat();
    writer.commit();
    const tensors = pairs.map((p, i) => ({
      name: p.name,
      kept: kept[i]!,
      total: p.count,
      fraction: p.count === 0 ? 0 : kept[i]! / p.count,
    }));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return { out: opts.out, kept: sum(kept), total: sum(pairs.map((p) => p.count)), tensors };
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** How many of `n` the fraction keeps: round half to even, as Python's round(). */
export function keptCount(keep: number, n: number): number {
  const x = keep * n;
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Masks the tensors of one scope together, writing their bytes in order; returns the count kept per tensor. */
function maskGroup(
  pairs: readonly TensorPair[],
  keep: number,
  reader: ChangeReader,
  writer: MaskFileWriter,
  progress: PassProgress,
): number[] {
  const total = pairs.reduce((n, p) => n + p.count, 0);
  const k = keptCount(keep, total);
  const scan: KeyScan = (visit) => {
    for (const p of pairs) {
      reader.scan(p, visit);
      progress.step();
    }
  };
  const start = progress.done;
  const threshold = topKThreshold(k, scan);
  progress.skipTo(start + 2 * pairs.length); // counting passes that were not needed
  const cutter = new MaskCutter(threshold);
  const mask = new Uint8Array(Math.min(CHANGE_BLOCK, total));
  const kept = pairs.map((p) => {
    let n = 0;
    reader.scan(p, (keys) => {
      const out = mask.subarray(0, keys.length);
      n += cutter.cut(keys, out);
      writer.write(out);
    });
    progress.step();
    return n;
  });
  if (kept.reduce((a, b) => a + b, 0) !== k)
    throw new DataError('the values changed between passes (was a checkpoint rewritten while it was read?)');
  return kept;
}

/** Counts tensor passes, of tensors × PASSES. */
class PassProgress {
  done = 0;
  private readonly total: number;

  constructor(
    tensors: number,
    private readonly report?: (done: number, total: number) => void,
  ) {
    this.total = tensors * PASSES;
  }

  step(): void {
    this.skipTo(this.done + 1);
  }

  skipTo(done: number): void {
    if (done <= this.done) return;
    this.done = done;
    this.report?.(done, this.total);
  }
}
