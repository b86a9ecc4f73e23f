// Bounded reads of data files: the size is checked before anything is read, and OS errors (missing file, a
// directory, no permission) become one-line DataErrors naming the file.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { DataError } from '../util/errors.js';

/** Size of the regular file `path`; `missing` is the message when it does not exist. */
export function fileSize(path: string, maxBytes: number, missing: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile())
      throw new DataError(`${path} is not a file (it is a ${st.isDirectory() ? 'directory' : 'special file'})`);
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError(missing);
    throw asDataError(err, path);
  }
  if (size > maxBytes)
    throw new DataError(
      `${path} is ${size} bytes, more than the ${maxBytes} ticketlab reads from such a file; is it the right file?`,
    );
  return size;
}

/** The first `n` bytes of `path` in a fresh buffer (fewer if the file is shorter). */
export function readPrefix(path: string, n: number): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const len = Math.min(n, fstatSync(fd).size);
    // Unpooled, so a view past a header starts at that header's length (no hidden offset into a shared pool).
    const buf = Buffer.allocUnsafeSlow(len);
    let got = 0;
    while (got < len) {
      const r = readSync(fd, buf, got, len - got, got);
      if (r === 0) break; // shrank since fstat
      got += r;
    }
    return got === len ? buf : buf.subarray(0, got);
  } catch (err) {
    throw asDataError(err, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function asDataError(err: unknown, path: string): unknown {
  if (err instanceof DataError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || code.startsWith('ERR_')) return err; // a bug, not the file
  // "EACCES: permission denied, open '/x'" -> "EACCES: permission denied"
  return new DataError(`cannot read ${path}: ${(err as Error).message.split(',')[0]}`);
}
