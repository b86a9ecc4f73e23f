// A safetensors file's header, read on its own: the length field and the JSON header are the only bytes read,
// so a 10 GB shard lists in the time and memory its few kilobytes of header need. The header is checked as fully
// as the whole-file reader checks it (src/store/safetensors.ts), against the file's size instead of its bytes.
import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';
import { checkCoverage } from '../store/safetensors.js';
import { MAX_HEADER_BYTES, METADATA_KEY, numel, parseHeaderJson } from '../store/safetensors-format.js';
import { brief, quote } from '../store/message-text.js';
import { dtypeInfo, isCheckpointDtype, type CheckpointDtype } from './dtypes.js';
import { openForRead, readFully } from './file-io.js';

/** Where one tensor lies: enough to read it with a single positioned read. */
export interface TensorEntry {
  name: string;
  dtype: CheckpointDtype;
  shape: number[];
  /** Bytes of data in the file (elements × item size). */
  bytes: number;
  /** The safetensors file that holds it. */
  file: string;
  /** Position of its first byte in `file`. */
  offset: number;
}

export interface SafetensorsHeader {
  file: string;
  /** The file's size when the header was read. */
  size: number;
  metadata: Record<string, string>;
  /** In the order of their data in the file. */
  tensors: TensorEntry[];
}

interface Span {
  name: string;
  dtype: CheckpointDtype;
  shape: number[];
  begin: number;
  end: number;
}

type Fail = (why: string) => never;

/** Reads and checks the header of safetensors file `file`; every problem is a DataError naming the file. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fail: Fail = (why) => {
    throw new DataError(`invalid safetensors file ${file}: ${why}`);
  };
  const { fd, size } = openForRead(file);
  try {
    if (size < 8) fail(`file is ${size} bytes, shorter than the 8-byte header length`);
    const lengthField = new Uint8Array(8);
    readFully(fd, lengthField, 0, file);
    const n = new DataView(lengthField.buffer).getBigUint64(0, true);
    if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
    const headerLen = Number(n);
    if (headerLen > size - 8) {
      fail(
        `header length ${headerLen} exceeds the ${size - 8} bytes after the length field (truncated or not safetensors)`,
      );
    }
    const headerBytes = new Uint8Array(headerLen);
    readFully(fd, headerBytes, 8, file);
    const { metadata, spans } = parseHeader(headerBytes, fail);
    checkCoverage(spans, size - 8 - headerLen, fail);
    spans.sort((a, b) => a.begin - b.begin);
    const dataStart = 8 + headerLen;
    const tensors = spans.map((s) => ({
      name: s.name,
      dtype: s.dtype,
      shape: s.shape,
      bytes: s.end - s.begin,
      file,
      offset: dataStart + s.begin,
    }));
    return { file, size, metadata, tensors };
  } finally {
    fs.closeSync(fd);
  }
}

function parseHeader(bytes: Uint8Array, fail: Fail): { metadata: Record<string, string>; spans: Span[] } {
  const header = parseHeaderJson(bytes, fail);
  let metadata: Record<string, string> = {};
  const spans: Span[] = [];
  for (const [name, value] of Object.entries(header as object)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, fail);
    else spans.push(parseSpan(name, value, fail));
  }
  return { metadata, spans };
}

function parseMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (!isObject(value)) fail('__metadata__ is not an object');
  const entries = Object.entries(value as object);
  for (const [k, v] of entries) if (typeof v !== 'string') fail(`__metadata__ value ${quote(k)} is not a string`);
  return Object.fromEntries(entries) as Record<string, string>; // own properties, even for "__proto__"
}

function parseSpan(name: string, value: unknown, fail: Fail): Span {
  if (!isObject(value)) fail(`tensor ${quote(name)} has no {dtype, shape, data_offsets} entry`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isCheckpointDtype(dtype)) fail(`tensor ${quote(name)} has unknown dtype ${brief(dtype)}`);
  const isIndex = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex))
    fail(`tensor ${quote(name)} has an invalid shape ${brief(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    fail(`tensor ${quote(name)} has invalid data_offsets ${brief(offsets)}`);
  }
  const d = dtype as CheckpointDtype;
  const want = numel(shape as number[]) * dtypeInfo(d).itemSize;
  if (!Number.isSafeInteger(want)) fail(`tensor ${quote(name)} has shape [${shape}], too large for any file`);
  const [begin, end] = offsets as number[];
  if (end - begin !== want) {
    fail(
      `tensor ${quote(name)} has shape [${shape}] (${want} bytes of ${d}) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
    );
  }
  return { name, dtype: d, shape: shape as number[], begin, end };
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
