// Shared pieces of the reader fuzz suites: run counts, byte mutations, and the judgement of one read of
// damaged input against an oracle (what the bytes mean by the format's specification).
//
//   FUZZ_RUNS=n        cases per property (default: each suite's own, sized for CI)
//   FUZZ_SEED=s        another seed (default: a fixed one, so CI runs are repeatable), or "random"
//   FUZZ_TALLY=file    record every outcome and append the counts to `file` instead of failing on the first bad one
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { UserError } from '../../src/util/errors.js';

export const tallyFile = process.env.FUZZ_TALLY;

/** fast-check parameters: `runs` cases unless FUZZ_RUNS says otherwise, FUZZ_SEED if given. */
export function fuzzParams(runs: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ?? '20261201';
  return { numRuns: Number(process.env.FUZZ_RUNS) || runs, ...(seed === 'random' ? {} : { seed: Number(seed) }) };
}

export function tempDir(prefix: string): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    file: (name) => path.join(dir, `${n++}-${name}`),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

// ------------------------------------------------------------------ mutations

export type Mutation =
  | { kind: 'xor'; at: number; mask: number }
  | { kind: 'set32'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

/** Positions: half of them within the first `headBytes` (where headers and lengths live), half anywhere. */
const position = (headBytes: number) => fc.oneof(fc.nat(headBytes - 1), fc.nat(1 << 20));
const u32 = fc.oneof(fc.constantFrom(0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));

export function mutationArb(headBytes = 64): fc.Arbitrary<Mutation[]> {
  const m: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('xor' as const), at: position(headBytes), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('set32' as const), at: position(headBytes), value: u32 }),
    fc.record({ kind: fc.constant('truncate' as const), at: position(headBytes) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: position(headBytes),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: position(headBytes),
      count: fc.integer({ min: 1, max: 16 }),
    }),
  );
  return fc.array(m, { minLength: 1, maxLength: 4 });
}

/** Apply mutations in order; positions wrap around the current length. */
export function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'xor' && b.length > 0) b[at] = b[at]! ^ m.mask;
    else if (m.kind === 'set32' && b.length >= 4)
      new DataView(b.buffer).setUint32(Math.min(at, b.length - 4), m.value, at % 2 === 0);
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
  }
  return b;
}

// ------------------------------------------------------------------ judging one read

/** What the bytes mean by the format's specification: a value, or invalid. */
export type Oracle<T> = { valid: true; value: T } | { valid: false };

export type Outcome =
  | 'correct' // returned exactly what the bytes mean
  | 'clear' // invalid input, refused with a one-line UserError naming the file
  | 'unclear' // a UserError that does not name the file or spans lines
  | 'raw' // any other exception: an internal message
  | 'wrong' // returned something other than what the bytes mean
  | 'false-reject' // valid input refused
  | 'changed' // well-formed data other than was written, where the format has no checksum to notice (SQLite pages)
  | 'slow'; // took longer than the bound (a hang, or work out of proportion to the input)

const SLOW_MS = 2_000;

export interface Judgement {
  outcome: Outcome;
  detail: string;
}

/** Run `read` on damaged input stored at `file` and judge it against `oracle`. */
export function judge<T>(read: () => T, file: string, oracle: Oracle<T>, equal: (a: T, b: T) => boolean): Judgement {
  const t0 = Date.now();
  let value: T;
  try {
    value = read();
  } catch (err) {
    if (Date.now() - t0 > SLOW_MS) return { outcome: 'slow', detail: `${Date.now() - t0} ms` };
    const msg = (err as Error)?.message ?? String(err);
    if (!(err instanceof UserError)) return { outcome: 'raw', detail: `${(err as Error)?.name}: ${msg}` };
    if (msg.includes('\n') || !msg.includes(file)) return { outcome: 'unclear', detail: msg };
    return oracle.valid ? { outcome: 'false-reject', detail: msg } : { outcome: 'clear', detail: msg };
  }
  if (Date.now() - t0 > SLOW_MS) return { outcome: 'slow', detail: `${Date.now() - t0} ms` };
  if (!oracle.valid) return { outcome: 'wrong', detail: 'accepted input the format forbids' };
  return equal(value, oracle.value)
    ? { outcome: 'correct', detail: '' }
    : { outcome: 'wrong', detail: 'returned other data than the file holds' };
}

const tallies = new Map<string, Record<string, number>>();

/**
 * Record a judgement under `suite`; unless tallying, fail on anything but a correct value or a clear error.
 * `allowed` widens that for formats without checksums where a caller-visible change cannot be detected.
 */
export function expectGood(suite: string, j: Judgement, allowed: Outcome[] = []): void {
  const t = tallies.get(suite) ?? {};
  t[j.outcome] = (t[j.outcome] ?? 0) + 1;
  tallies.set(suite, t);
  if (tallyFile) return;
  assert.ok(
    j.outcome === 'correct' || j.outcome === 'clear' || allowed.includes(j.outcome),
    `${j.outcome}: ${j.detail}`,
  );
}

/** Append this file's counts to FUZZ_TALLY (call from after()). */
export function writeTallies(): void {
  if (tallyFile) for (const [suite, t] of tallies) fs.appendFileSync(tallyFile, `${JSON.stringify({ suite, ...t })}\n`);
}

export const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;
