// IDX files (the MNIST container format): a big-endian header of magic (0x00 0x00 dtype ndim) and ndim uint32
// dimensions, then the raw data. Only unsigned bytes (dtype 0x08) are supported, which covers MNIST and its
// clones (Fashion-MNIST, KMNIST). Gzipped files are recognized by their content, whatever their name.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from '../util/errors.js';

export type IdxKind = 'images' | 'labels';

export interface IdxFile {
  dims: number[];
  /** A view into the file's bytes (no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;
const NDIM: Record<IdxKind, number> = { images: 3, labels: 1 };
const DTYPES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Read and validate an IDX file holding images ([n, rows, cols]) or labels ([n]). */
export function readIdx(path: string, expect: IdxKind): IdxFile {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new DataError(`IDX ${expect} file not found: ${path} (point --data-dir at the folder that holds it)`);
  }
  let buf: Uint8Array = readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new DataError(`${path} looks gzipped but does not decompress (${(err as Error).message}); download it again`);
    }
  }
  if (buf.length < 4) throw new DataError(`${path} is not an IDX file: only ${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const wanted = (UBYTE << 8) | NDIM[expect];
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataError(`${path} is not an IDX file: magic number ${hex(magic)}, expected ${hex(wanted)} (IDX ${expect})`);
  }
  const dtype = buf[2]!;
  const ndim = buf[3]!;
  if (dtype !== UBYTE) {
    const name = DTYPES[dtype] ?? 'unknown';
    throw new DataError(`${path} holds dtype 0x${dtype.toString(16).padStart(2, '0')} (${name}); only unsigned bytes (0x08) are supported`);
  }
  if (ndim !== NDIM[expect]) {
    throw new DataError(
      `${path} has magic number ${hex(magic)} (${ndim} dimensions), expected ${hex(wanted)} for IDX ${expect}: is it the ${expect === 'images' ? 'labels' : 'images'} file?`,
    );
  }
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) {
    throw new DataError(`${path} is truncated: its header needs ${headerLen} bytes, the file has ${buf.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = headerLen + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'truncated' : 'too long';
    throw new DataError(
      `${path} is ${what}: dims [${dims.join(', ')}] need ${expected} bytes, the file has ${buf.length}; download it again`,
    );
  }
  return { dims, data: buf.subarray(headerLen) };
}

/** Serialize dims and bytes as IDX (ubyte). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`IDX needs 1..255 dimensions, got ${dims.length}`);
  for (const d of dims) if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new RangeError(`bad IDX dimension ${d}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`IDX dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}`);
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
