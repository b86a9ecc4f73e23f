// Positioned reads of checkpoint files: only the bytes asked for are read, in bounded chunks, and every way the
// file can fail (missing, unreadable, shorter than its header says) is a DataError naming it.
import * as fs from 'node:fs';
import { DataError } from '../util/errors.js';

/** One read call stays well under the 2 GiB that a single read(2) may transfer. */
const MAX_READ = 1 << 30;

/** Opens `file` for reading; a missing file, a directory or no permission is a DataError naming it. */
export function openForRead(file: string): { fd: number; size: number } {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    return { fd, size: stat.size };
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    throw new DataError(`cannot read safetensors file ${file}: ${(err as Error).message.split(',')[0]}`);
  }
}

/** Fills `target` from `position` on; a file that ends first is a DataError (truncated since it was listed). */
export function readFully(fd: number, target: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < target.byteLength) {
    const want = Math.min(target.byteLength - done, MAX_READ);
    let got: number;
    try {
      got = fs.readSync(fd, target, done, want, position + done);
    } catch (err) {
      throw new DataError(`cannot read safetensors file ${file}: ${(err as Error).message.split(',')[0]}`);
    }
    if (got === 0) {
      throw new DataError(
        `invalid safetensors file ${file}: file is truncated: it ends at byte ${position + done}, ${target.byteLength - done} bytes short`,
      );
    }
    done += got;
  }
}
