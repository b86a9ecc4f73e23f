// Decompression with a known size limit. A gzip bomb (17 MB expanding to 4 GB) is stopped as soon as its output
// passes the size its contents declare, instead of after being inflated in full.
import { constants, gunzipSync } from 'node:zlib';
import { DataError } from '../util/errors.js';

/** Deflate can expand at most 1032:1, so a short compressed prefix bounds the memory a peek can take. */
const PEEK_SIZES = [64, 1024, 16384];

/** The first `want` decompressed bytes of `gz` (fewer if it decompresses to less), decompressing only a prefix. */
export function gunzipPrefix(gz: Uint8Array, want: number, path: string): Uint8Array {
  for (const n of PEEK_SIZES) {
    const part = gz.subarray(0, n);
    let out: Buffer;
    try {
      // Z_SYNC_FLUSH returns what a truncated stream holds so far instead of failing at its end.
      out = gunzipSync(part, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw notGzip(path, err);
    }
    if (out.length >= want || part.length === gz.length) return out.subarray(0, want);
  }
  throw new DataError(
    `${path} looks gzipped but holds no data in its first ${PEEK_SIZES.at(-1)} bytes; download it again`,
  );
}

/** Decompress `gz`, refusing output beyond `limit` bytes; `declares` says where the limit comes from. */
export function gunzipBounded(gz: Uint8Array, limit: number, path: string, declares: string): Buffer {
  try {
    return gunzipSync(gz, { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(`${path} decompresses to more than the ${limit} bytes ${declares}; download it again`);
    }
    throw notGzip(path, err);
  }
}

function notGzip(path: string, err: unknown): DataError {
  const why = (err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'it is truncated' : 'it is corrupt';
  return new DataError(`${path} looks gzipped but does not decompress (${why}); download it again`);
}
