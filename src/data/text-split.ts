// Train / validation / test splits of a tokenized corpus, seeded:
// - by document: whole groups of documents go to one split (a group holds e.g. every translation of one article of a
//   parallel corpus, so no split sees a text whose translation another split holds);
// - by range: the token stream is cut into equal contiguous blocks dealt out to the splits; windows never cross a
//   cut between two splits.
// A split is a list of token segments, ready for TokenDataset / MlmDataset.
import { Rng } from '../engine/rng.js';
import { ConfigError } from '../util/errors.js';

export type SplitName = 'train' | 'validation' | 'test';

export interface SplitOptions {
  by: 'document' | 'range';
  /** Fractions of the groups (by document) or blocks (by range); each non-zero one gets at least one. */
  validation: number;
  test: number;
  seed: number;
  /** Blocks the stream is cut into, by range. */
  blocks?: number;
}

export interface TokenizedDocument {
  /** The document's tokens, with any separator tokens already in place. */
  ids: Int32Array;
  /** Documents with the same group always land in the same split. */
  group: string;
}

export type Splits = Record<SplitName, Int32Array[]>;

const DEFAULT_BLOCKS = 20;

export function splitDocuments(docs: readonly TokenizedDocument[], opts: SplitOptions): Splits {
  if (opts.by === 'document') return byDocument(docs, opts);
  if (opts.by === 'range') return byRange(concat(docs.map((d) => d.ids)), opts);
  throw new ConfigError(`split by must be document or range, got ${String(opts.by)}`);
}

function byDocument(docs: readonly TokenizedDocument[], opts: SplitOptions): Splits {
  const groups = [...new Set(docs.map((d) => d.group))];
  const assigned = deal(groups.length, opts, 'document groups');
  const splitOf = new Map(groups.map((g, i) => [g, assigned[i]!]));
  const parts: Record<SplitName, Int32Array[]> = { train: [], validation: [], test: [] };
  for (const d of docs) parts[splitOf.get(d.group)!].push(d.ids);
  // Documents of one split follow each other in corpus order, so windows may run from one into the next.
  const whole = (p: Int32Array[]) => (p.length > 0 ? [concat(p)] : []);
  return { train: whole(parts.train), validation: whole(parts.validation), test: whole(parts.test) };
}

function byRange(stream: Int32Array, opts: SplitOptions): Splits {
  const blocks = opts.blocks ?? DEFAULT_BLOCKS;
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > stream.length)
    throw new ConfigError(`cannot cut ${stream.length} tokens into ${blocks} blocks`);
  const assigned = deal(blocks, opts, 'blocks');
  const splits: Splits = { train: [], validation: [], test: [] };
  let runStart = 0;
  for (let b = 1; b <= blocks; b++) {
    // Neighbouring blocks of one split stay one segment.
    if (b < blocks && assigned[b] === assigned[runStart]) continue;
    const from = Math.floor((runStart * stream.length) / blocks);
    const to = Math.floor((b * stream.length) / blocks);
    splits[assigned[runStart]!].push(stream.subarray(from, to));
    runStart = b;
  }
  return splits;
}

/** Which split each of `n` items goes to: a seeded shuffle, then validation and test take their share. */
function deal(n: number, opts: SplitOptions, what: string): SplitName[] {
  const { validation, test, seed } = opts;
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`seed must be a non-negative integer, got ${seed}`);
  for (const [name, f] of [
    ['validation', validation],
    ['test', test],
  ] as const)
    if (!(f >= 0 && f < 1)) throw new ConfigError(`${name} fraction must be in [0, 1), got ${f}`);
  const share = (f: number) => (f > 0 ? Math.max(1, Math.round(f * n)) : 0);
  const nVal = share(validation);
  const nTest = share(test);
  if (nVal + nTest >= n)
    throw new ConfigError(`${n} ${what} leave none for training after ${nVal} for validation and ${nTest} for test`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  Rng.stream(seed, 'text-split').shuffle(order);
  const out = new Array<SplitName>(n).fill('train');
  order.subarray(0, nVal).forEach((i) => (out[i] = 'validation'));
  order.subarray(nVal, nVal + nTest).forEach((i) => (out[i] = 'test'));
  return out;
}

function concat(parts: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
