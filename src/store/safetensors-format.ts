// The safetensors format's vocabulary: dtypes, tensor types and the byte-level helpers that encoding and decoding
// (safetensors.ts) share.
import * as os from 'node:os';
import { jsonSyntaxProblem } from './json-file.js';
/** Dtypes ticketlab reads and writes. */
export type Dtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8' | 'BOOL';
/** Dtypes ticketlab can read; F16 is widened to a Float32Array on load. */
export type ReadableDtype = Dtype | 'F16';

export interface TensorOf<D extends ReadableDtype, A> {
  dtype: D;
  shape: number[];
  data: A;
}

export type Tensor =
  | TensorOf<'F32', Float32Array>
  | TensorOf<'F64', Float64Array>
  | TensorOf<'I32', Int32Array>
  | TensorOf<'I64', BigInt64Array>
  | TensorOf<'U8' | 'BOOL', Uint8Array>;

/** A decoded tensor; `dtype` is what the file said, so F16 arrives as Float32Array data. */
export type DecodedTensor = Tensor | TensorOf<'F16', Float32Array>;

export interface DecodedSafetensors {
  tensors: Record<string, DecodedTensor>;
  metadata: Record<string, string>;
}

export interface DecodeOptions {
  /** Refuse NaN and ±Infinity in float tensors (weights), naming the tensor and the element. Default false. */
  finite?: boolean;
}

export type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor;

export interface DtypeInfo {
  itemSize: number;
  /** Position in the reference implementation's Dtype enum; writes sort by it, descending. */
  rank: number;
  ctor: TypedArrayCtor;
}

export const DTYPES: Record<Dtype, DtypeInfo> = {
  BOOL: { itemSize: 1, rank: 0, ctor: Uint8Array },
  U8: { itemSize: 1, rank: 1, ctor: Uint8Array },
  I32: { itemSize: 4, rank: 9, ctor: Int32Array },
  F32: { itemSize: 4, rank: 11, ctor: Float32Array },
  F64: { itemSize: 8, rank: 12, ctor: Float64Array },
  I64: { itemSize: 8, rank: 13, ctor: BigInt64Array },
};
export const F16_ITEM_SIZE = 2;
export const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we (guards huge allocations). */
export const MAX_HEADER_BYTES = 100_000_000;

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

export function assertLittleEndianHost(): void {
  // Typed arrays use host byte order; every platform Node supports in practice is little-endian.
  if (os.endianness() !== 'LE') throw new Error('safetensors: big-endian hosts are not supported');
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reference ordering compares names as UTF-8 bytes (Rust String order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `"key":value` JSON members, joined in the given order (JSON.stringify would hoist integer-like keys). */
export function jsonMembers(entries: [string, string][]): string {
  return entries.map(([k, valueJson]) => `${JSON.stringify(k)}:${valueJson}`).join(',');
}

/** A header's bytes as a JSON object; anything else is reported through `fail` (which throws). */
export function parseHeaderJson(bytes: Uint8Array, fail: (why: string) => never): Record<string, unknown> {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('header is not valid UTF-8 JSON (it holds bytes that are not UTF-8)');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${jsonSyntaxProblem(err, text)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  return header as Record<string, unknown>;
}
