// Cleanup of temp files that interrupted atomic writes (kill -9, power loss) leave next to their targets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors.js';
import { tempWriterPid } from './atomic.js';
import { writerIsGone } from './process-alive.js';

export interface StaleTempOptions {
  /** Also clean subdirectories (a run's level folders). Default false. */
  recursive?: boolean;
  /**
   * Keep temp files modified within this many ms. Pids only identify writers of this machine: on a filesystem
   * shared with other machines, pass a few minutes so another machine's write in progress is left alone. Default 0.
   */
  minAgeMs?: number;
}

/**
 * Remove temp files (names from `tempPathFor`) in `dir` whose writer is gone: its pid no longer runs on this
 * machine, or now belongs to a process started after the file was last written. Temp files of live writers,
 * this process included, are kept, as is everything else. A missing `dir` is fine. Returns the removed paths.
 * Throws a UserError when `dir` cannot be listed or a stale file cannot be removed (e.g. read-only).
 */
export function removeStaleTempFiles(dir: string, opts: StaleTempOptions = {}): string[] {
  const removed: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return removed;
    throw new UserError(`cannot list ${dir} to remove leftover temp files: ${(err as Error).message.split(',')[0]}`);
  }
  const now = Date.now();
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (opts.recursive) removed.push(...removeStaleTempFiles(p, opts));
      continue;
    }
    const pid = e.isFile() ? tempWriterPid(e.name) : null;
    if (pid === null) continue;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(p).mtimeMs;
    } catch {
      continue; // its writer finished (renamed it) or someone else removed it meanwhile
    }
    if (now - mtimeMs < (opts.minAgeMs ?? 0) || !writerIsGone(pid, mtimeMs)) continue;
    try {
      fs.unlinkSync(p);
      removed.push(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UserError(`cannot remove leftover temp file ${p}: ${(err as Error).message.split(',')[0]}`);
    }
  }
  return removed;
}
