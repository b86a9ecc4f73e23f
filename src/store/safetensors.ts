// The safetensors format (https://github.com/huggingface/safetensors):
//   u64 little-endian N | N bytes of UTF-8 JSON header | raw little-endian tensor bytes.
// Header: { "__metadata__"?: {string: string}, name: {dtype, shape, data_offsets: [begin, end]} },
// offsets relative to the start of the data region. Writing follows the reference implementation:
// header padded with spaces to a multiple of 8, tensors ordered by dtype (widest first) then name,
// so every tensor starts at an offset aligned to its item size.

import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';
import { writeFileAtomic } from './atomic.js';
import { brief, quote } from './message-text.js';
import { halfToFloat } from './half-float.js';
import {
  type Tensor,
  type DecodedTensor,
  type DecodedSafetensors,
  type DecodeOptions,
  type ReadableDtype,
  DTYPES,
  F16_ITEM_SIZE,
  METADATA_KEY,
  MAX_HEADER_BYTES,
  isDtype,
  assertLittleEndianHost,
  numel,
  compareUtf8,
  jsonMembers,
  parseHeaderJson,
} from './safetensors-format.js';
export type { Dtype, Tensor, DecodedTensor, DecodedSafetensors, DecodeOptions } from './safetensors-format.js';

/** Serialize tensors (and optional string metadata) to safetensors bytes. Misuse throws TypeError/RangeError. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  assertLittleEndianHost();
  const names = Object.keys(tensors);
  for (const name of names) validateForWrite(name, tensors[name]);
  names.sort((a, b) => DTYPES[tensors[b].dtype].rank - DTYPES[tensors[a].dtype].rank || compareUtf8(a, b));

  const members: [string, string][] = [];
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  if (metaKeys.length > 0) {
    for (const k of metaKeys) {
      if (typeof metadata[k] !== 'string') throw new TypeError(`safetensors metadata '${k}' must be a string`);
    }
    members.push([METADATA_KEY, `{${jsonMembers(metaKeys.map((k) => [k, JSON.stringify(metadata[k])]))}}`]);
  }
  let dataBytes = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = dataBytes + t.data.byteLength;
    members.push([name, JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [dataBytes, end] })]);
    dataBytes = end;
  }
  const header = Buffer.from(`{${jsonMembers(members)}}`, 'utf8');
  const headerLen = Math.ceil(header.byteLength / 8) * 8; // space padding keeps the data 8-byte aligned

  const out = new Uint8Array(8 + headerLen + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.byteLength, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

function validateForWrite(name: string, t: Tensor): void {
  if (name === METADATA_KEY) throw new TypeError(`'${METADATA_KEY}' is reserved and cannot name a tensor`);
  const dtype: unknown = t?.dtype;
  if (!isDtype(dtype)) throw new TypeError(`tensor ${quote(name)}: dtype ${String(dtype)} cannot be written`);
  if (!Array.isArray(t.shape) || !t.shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new TypeError(`tensor ${quote(name)}: shape must be an array of non-negative integers`);
  }
  const { ctor } = DTYPES[t.dtype];
  if (!(t.data instanceof ctor)) throw new TypeError(`tensor ${quote(name)}: dtype ${t.dtype} needs a ${ctor.name}`);
  if (t.data.length !== numel(t.shape)) {
    throw new RangeError(
      `tensor ${quote(name)}: shape [${t.shape}] needs ${numel(t.shape)} elements, data has ${t.data.length}`,
    );
  }
}

/** Where a tensor's bytes lie, relative to the start of the data region. */
interface DataSpan {
  name: string;
  begin: number;
  end: number;
}

interface HeaderEntry extends DataSpan {
  dtype: ReadableDtype;
  shape: number[];
}

/**
 * Parse and fully validate safetensors bytes. `source` (usually the file path) names the file in
 * every DataError. Tensor data is copied into fresh buffers, so every typed array is aligned and
 * independent of `bytes`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = '<buffer>',
  opts: DecodeOptions = {},
): DecodedSafetensors {
  assertLittleEndianHost();
  const fail = (why: string): never => {
    throw new DataError(`invalid safetensors file ${source}: ${why}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.byteLength - 8)) {
    fail(
      `header length ${n} exceeds the ${bytes.byteLength - 8} bytes after the length field (truncated or not safetensors)`,
    );
  }
  const headerLen = Number(n);
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);

  const header = parseHeaderJson(bytes.subarray(8, 8 + headerLen), fail);

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value ${quote(k)} is not a string`);
        define(metadata, k, v as string);
      }
    } else {
      entries.push(parseEntry(name, value, fail));
    }
  }

  checkCoverage(entries, bytes.byteLength - 8 - headerLen, fail);

  const dataStart = 8 + headerLen;
  const tensors: Record<string, DecodedTensor> = {};
  for (const e of entries) {
    const src = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    const copy = new ArrayBuffer(src.byteLength); // fresh buffer: offset 0, so aligned for any dtype
    new Uint8Array(copy).set(src);
    const t =
      e.dtype === 'F16'
        ? { dtype: 'F16' as const, shape: e.shape, data: halfToFloat(new Uint16Array(copy)) }
        : ({ dtype: e.dtype, shape: e.shape, data: new DTYPES[e.dtype].ctor(copy) } as Tensor);
    define(tensors, e.name, t);
  }
  if (opts.finite) assertFiniteTensors(tensors, source);
  return { tensors, metadata };
}

function parseEntry(name: string, value: unknown, fail: (why: string) => never): HeaderEntry {
  if (typeof value !== 'object' || value === null)
    fail(`tensor ${quote(name)} has no {dtype, shape, data_offsets} entry`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (dtype !== 'F16' && !isDtype(dtype)) fail(`tensor ${quote(name)} has unknown dtype ${brief(dtype)}`);
  const isIndex = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex))
    fail(`tensor ${quote(name)} has an invalid shape ${brief(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    fail(`tensor ${quote(name)} has invalid data_offsets ${brief(offsets)}`);
  }
  const d = dtype as ReadableDtype;
  const itemSize = d === 'F16' ? F16_ITEM_SIZE : DTYPES[d].itemSize;
  const [begin, end] = offsets as number[];
  const want = numel(shape as number[]) * itemSize;
  if (end - begin !== want) {
    fail(
      `tensor ${quote(name)} has shape [${shape}] (${want} bytes of ${d}) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
    );
  }
  return { name, dtype: d, shape: shape as number[], begin, end };
}

/** Tensors must tile the data region exactly: no overlaps, no gaps, nothing past the end, nothing left over. */
export function checkCoverage(entries: readonly DataSpan[], dataLen: number, fail: (why: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  const contiguous = sorted.every((e, i) => e.begin === (i === 0 ? 0 : sorted[i - 1].end));
  const needed = sorted.length ? sorted[sorted.length - 1].end : 0;
  if (contiguous && needed > dataLen)
    fail(`file is truncated: tensors need ${needed} data bytes but only ${dataLen} are present`);

  let covered = 0;
  let prev: DataSpan | undefined;
  for (const e of sorted) {
    if (e.end > dataLen)
      fail(`tensor ${quote(e.name)} data_offsets [${e.begin}, ${e.end}] lie outside the ${dataLen}-byte data region`);
    if (e.begin < covered)
      fail(`tensor ${quote(e.name)} data_offsets [${e.begin}, ${e.end}] overlap tensor ${quote(prev!.name)}`);
    if (e.begin > covered) fail(`data bytes [${covered}, ${e.begin}) are not covered by any tensor`);
    covered = e.end;
    prev = e;
  }
  if (covered < dataLen) fail(`data bytes [${covered}, ${dataLen}) are not covered by any tensor`);
}

/** Throw a DataError naming the first NaN or infinite element of a float tensor. */
export function assertFiniteTensors(tensors: Record<string, DecodedTensor>, source = '<buffer>'): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32' && t.dtype !== 'F64' && t.dtype !== 'F16') continue;
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      throw new DataError(
        `invalid safetensors file ${source}: tensor ${quote(name)} holds ${t.data[i]} at element ${i}; weights must be finite`,
      );
  }
}

/** Own property even for names like "__proto__", which plain assignment would turn into a prototype change. */
function define<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Write a safetensors file atomically (temp file + fsync + rename). */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Read and validate a safetensors file; problems (missing, corrupt) throw a DataError naming it. */
export function loadSafetensors(path: string, opts: DecodeOptions = {}): DecodedSafetensors {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    throw new DataError(`cannot read safetensors file ${path}: ${(err as Error).message.split(',')[0]}`);
  }
  return decodeSafetensors(bytes, path, opts);
}
