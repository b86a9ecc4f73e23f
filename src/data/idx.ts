// IDX files (the MNIST container format): a big-endian header of magic (0x00 0x00 dtype ndim) and ndim uint32
// dimensions, then the raw data. Only unsigned bytes (dtype 0x08) are supported, which covers MNIST and its
// clones (Fashion-MNIST, KMNIST). Gzipped files are recognized by their content, whatever their name.
//
// The header says how big the file must be, so nothing larger is ever read or decompressed: a plain file is
// checked against its size on disk before it is read, a gzipped one is decompressed with that size as the limit.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DataError } from '../util/errors.js';
import { gunzipBounded, gunzipPrefix } from './gunzip.js';
import { fileSize, readPrefix } from './read-file.js';

export type IdxKind = 'images' | 'labels';

export interface IdxFile {
  dims: number[];
  /** A view into the file's bytes (no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;
const NDIM: Record<IdxKind, number> = { images: 3, labels: 1 };
const DTYPES: Record<number, string> = {
  0x08: 'ubyte',
  0x09: 'byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
/** Largest IDX file ticketlab loads (2 GiB, Node's limit for one file read); EMNIST, the largest in use, is 550 MB. */
export const MAX_IDX_BYTES = 2 ** 31 - 1;
/** The longest header ticketlab accepts: 3 dimensions. */
const MAX_HEADER = 4 + 4 * 3;

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

interface Header {
  dims: number[];
  headerLen: number;
  /** Total file size the header implies. */
  size: number;
}

/** Read and validate an IDX file holding images ([n, rows, cols]) or labels ([n]). */
export function readIdx(path: string, expect: IdxKind): IdxFile {
  const size = fileSize(
    path,
    MAX_IDX_BYTES,
    `IDX ${expect} file not found: ${path} (point --data-dir at the folder that holds it)`,
  );
  const head = readPrefix(path, Math.min(size, MAX_HEADER));
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gz = readPrefix(path, size);
    const h = parseHeader(gunzipPrefix(gz, MAX_HEADER, path), path, expect, 'decompressed size is');
    const buf = gunzipBounded(gz, h.size, path, `its IDX header (dims [${h.dims.join(', ')}]) declares`);
    checkSize(buf.length, h, path);
    return { dims: h.dims, data: buf.subarray(h.headerLen) };
  }
  const h = parseHeader(head, path, expect, 'file has');
  checkSize(size, h, path); // before reading: a huge file with a small header is never loaded
  const buf = readPrefix(path, size);
  checkSize(buf.length, h, path); // the file may have changed since
  return { dims: h.dims, data: buf.subarray(h.headerLen) };
}

/** Validate the first bytes of an IDX file; `has` words the size in messages ("file has"). */
function parseHeader(buf: Uint8Array, path: string, expect: IdxKind, has: string): Header {
  if (buf.length < 4) throw new DataError(`${path} is not an IDX file: only ${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const wanted = (UBYTE << 8) | NDIM[expect];
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataError(
      `${path} is not an IDX file: magic number ${hex(magic)}, expected ${hex(wanted)} (IDX ${expect})`,
    );
  }
  const dtype = buf[2]!;
  const ndim = buf[3]!;
  if (dtype !== UBYTE) {
    const name = DTYPES[dtype] ?? 'unknown';
    throw new DataError(
      `${path} holds dtype 0x${dtype.toString(16).padStart(2, '0')} (${name}); only unsigned bytes (0x08) are supported`,
    );
  }
  if (ndim !== NDIM[expect]) {
    throw new DataError(
      `${path} has magic number ${hex(magic)} (${ndim} dimensions), expected ${hex(wanted)} for IDX ${expect}: is it the ${expect === 'images' ? 'labels' : 'images'} file?`,
    );
  }
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) {
    throw new DataError(`${path} is truncated: its header needs ${headerLen} bytes, the ${has} ${buf.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = headerLen + dims.reduce((a, b) => a * b, 1);
  if (size > MAX_IDX_BYTES) {
    throw new DataError(
      `${path}: dims [${dims.join(', ')}] need ${size} bytes, more than the ${MAX_IDX_BYTES} ticketlab loads; is the header damaged?`,
    );
  }
  return { dims, headerLen, size };
}

function checkSize(actual: number, h: Header, path: string): void {
  if (actual === h.size) return;
  const what = actual < h.size ? 'truncated' : 'too long';
  throw new DataError(
    `${path} is ${what}: dims [${h.dims.join(', ')}] need ${h.size} bytes, the file has ${actual}; download it again`,
  );
}

/** Serialize dims and bytes as IDX (ubyte). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`IDX needs 1..255 dimensions, got ${dims.length}`);
  for (const d of dims)
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new RangeError(`bad IDX dimension ${d}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new RangeError(`IDX dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}`);
  const headerLen = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLen + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLen);
  return out;
}

/** Write an IDX file; a path ending in .gz is gzipped. */
export function writeIdx(path: string, dims: readonly number[], data: Uint8Array): void {
  const bytes = encodeIdx(dims, data);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}
