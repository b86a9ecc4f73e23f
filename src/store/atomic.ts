// Crash-safe file writes: a reader (or a run resumed after kill -9) sees either the old file or
// the complete new one, never a partial write.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../util/errors.js';

/** Temp files are named `.<target>.<pid>.<random>.tmp` next to the target, so rename stays on one filesystem. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** True for names produced by tempPathFor (used to clean up leftovers of killed writers). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** The pid of the process that made temp file name `name`, or null if it is not a temp name. */
export function tempWriterPid(name: string): number | null {
  const m = TEMP_NAME.exec(name);
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Write `data` to `target` atomically: temp file in the same directory, fsync, rename over the
 * target, fsync the directory (so the rename itself survives a power loss). On any failure the
 * temp file is removed and an existing target is left untouched. OS errors become a UserError.
 */
export function writeFileAtomic(target: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`writeFileAtomic: data must be a Uint8Array or string, got ${typeof data}`);
    }
    let written = 0;
    while (written < bytes.byteLength) {
      written += fs.writeSync(fd, bytes, written, bytes.byteLength - written);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created (open failed) or already gone; the original error is the one to report
    }
    throw asUserError(err, `cannot write ${target}`);
  }
  fsyncDir(path.dirname(target));
}

/** fsync a directory so a rename in it is durable. Some platforms/filesystems refuse; that is harmless. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Create `dir` (recursively) and prove it is writable by creating and removing a probe file
 * (access(W_OK) is meaningless when running as root or on read-only mounts).
 * `what` names the directory in the error, e.g. "run root /x is not writable: EACCES".
 */
export function ensureWritableDir(dir: string, what = 'run root'): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = tempPathFor(path.join(dir, 'probe'));
    fs.writeFileSync(probe, '', { flag: 'wx' });
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = WHY_NOT_WRITABLE[code] ?? code ?? (err as Error).message;
    throw new UserError(`${what} ${dir} is not writable: ${why}`);
  }
}

/** What the usual errors mean for a directory a user named. */
const WHY_NOT_WRITABLE: Record<string, string> = {
  EEXIST: 'a file of that name is in the way (give a directory)',
  ENOTDIR: 'part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * OS errors (code like ENOSPC, EACCES) are the user's to fix; anything else, including Node's own
 * ERR_* argument errors, is a bug and is rethrown as is.
 */
export function asUserError(err: unknown, context: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || code.startsWith('ERR_')) return err;
  // "ENOSPC: no space left on device, write" -> "ENOSPC: no space left on device"
  const detail = (err as Error).message.split(',')[0] || code;
  const e = new UserError(`${context}: ${detail}`);
  (e as { cause?: unknown }).cause = err;
  return e;
}
