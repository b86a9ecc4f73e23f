// One ticketlab process per run directory. The lock is an OS file lock (fcntl, taken through SQLite, which
// ticketlab already ships) on `<dir>/.lock`. The kernel holds it for the process, so
//   - it holds however long the holder's event loop is blocked: nothing has to be refreshed, nothing goes stale;
//   - it is released the moment the holder dies (kill -9, crash), so a rerun takes over at once.
// The holder's pid and host go to `<dir>/.lock.pid` (see lock-owner.ts) for messages, with a heartbeat from a
// worker thread. The heartbeat only matters on a filesystem shared by several machines whose file locks do not
// reach from one machine to the other: a lock obtained while another machine's heartbeat is fresh is refused.
//
// The lock file is never deleted: removing it would let a process that had opened it keep a lock on a file
// that no longer has that name while a newcomer locks a fresh one. Nothing in the process may open it with
// node:fs either: closing any descriptor of a file drops the process's fcntl locks on it (SQLite guards its own).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { UserError } from '../util/errors.js';
import { ensureWritableDir } from './atomic.js';
import {
  describeOwner,
  isOtherHost,
  isThisProcess,
  readOwner,
  startHeartbeat,
  writeOwner,
  LOCK_PID_NAME,
} from './lock-owner.js';

export const LOCK_NAME = '.lock';

export interface LockOptions {
  /** A holder on another machine whose heartbeat is older than this counts as gone. Default 30000. */
  staleMs?: number;
  /** How often the holder's worker thread beats. Default 2000. */
  updateMs?: number;
}

export interface RunLock {
  readonly dir: string;
  /** Set when the lock was lost: its file or the owner record was removed or replaced behind this process. */
  readonly compromised: Error | null;
  /** Throws a UserError if the lock has been lost; call before writing results. */
  assertHeld(): void;
  /** Idempotent. */
  release(): Promise<void>;
}

/** Run directories this process holds (a second acquire in one process is refused with its own message). */
const held = new Set<string>();

/** Lock run directory `dir` (created if missing) or throw a UserError naming the holder. Never waits. */
export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<RunLock> {
  const abs = path.resolve(dir);
  ensureWritableDir(abs, 'run directory');
  if (held.has(abs)) throw new UserError(`run ${abs} is already locked by this process (pid ${process.pid})`);
  const staleMs = opts.staleMs ?? 30_000;
  const file = path.join(abs, LOCK_NAME);
  clearLegacyLock(abs, file);

  const db = lockFile(abs, file);
  const prev = readOwner(abs);
  if (prev !== null && isOtherHost(prev) && Date.now() - prev.beatMs < staleMs) {
    db.close();
    const age = Math.round((Date.now() - prev.beatMs) / 1000);
    throw new UserError(
      `run ${abs} is in use by another ticketlab process (${describeOwner(prev)}, seen ${age} s ago; file locks here do not reach across machines)`,
    );
  }
  let heartbeat: Worker;
  try {
    writeOwner(abs);
    heartbeat = await startHeartbeat(abs, opts.updateMs ?? 2_000);
  } catch (err) {
    db.close();
    throw err;
  }
  const { dev, ino } = fs.statSync(file);
  held.add(abs);

  let released = false;
  const lost = (): Error | null => {
    if (released) return null;
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st || st.dev !== dev || st.ino !== ino) return new Error(`${file} was removed or replaced`);
    const owner = readOwner(abs);
    if (!isThisProcess(owner)) return new Error(`${path.join(abs, LOCK_PID_NAME)} now names ${describeOwner(owner)}`);
    return null;
  };
  return {
    dir: abs,
    get compromised() {
      return lost();
    },
    assertHeld() {
      if (released) throw new UserError(`run ${abs} lock was already released`);
      const why = lost();
      if (why) throw new UserError(`run ${abs} lock was lost (${why.message}); another process may be using it`);
    },
    async release() {
      if (released) return;
      released = true;
      held.delete(abs);
      await heartbeat.terminate();
      // The owner record goes first, so it never outlives the lock and misnames the next holder.
      if (isThisProcess(readOwner(abs))) fs.rmSync(path.join(abs, LOCK_PID_NAME), { force: true });
      db.close(); // ends the transaction and drops the OS lock
    },
  };
}

/** Run `fn` while holding the lock on `dir`; the lock is released however `fn` ends. */
export async function withLock<T>(
  dir: string,
  fn: (lock: RunLock) => Promise<T> | T,
  opts: LockOptions = {},
): Promise<T> {
  const lock = await acquireLock(dir, opts);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

/** An open connection holding an exclusive OS lock on `file`, or a UserError saying who holds it. */
function lockFile(dir: string, file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 0 }); // timeout 0: refuse at once instead of waiting for the holder
    db.pragma('journal_mode = MEMORY'); // no journal file next to the lock
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db?.close();
    const code = String((err as { code?: unknown }).code ?? '');
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new UserError(`run ${dir} is in use by another ticketlab process (${describeOwner(readOwner(dir))})`);
    }
    if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
      throw new UserError(
        `run ${dir}: lock file ${file} holds foreign data; delete it if no ticketlab process is using this run`,
      );
    }
    throw new UserError(`cannot lock run ${dir}: ${(err as Error).message.split(',')[0]}${code ? ` (${code})` : ''}`);
  }
}

/**
 * Earlier versions locked with a directory `<dir>/.lock` whose mtime their holder refreshed every 2 s (10 s
 * staleness). A fresh one belongs to a running older ticketlab; a stale one is a leftover and is removed.
 */
function clearLegacyLock(dir: string, file: string): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return;
  if (Date.now() - st.mtimeMs < 10_000) {
    throw new UserError(`run ${dir} is in use by an older ticketlab process (${describeOwner(readOwner(dir))})`);
  }
  fs.rmSync(file, { recursive: true, force: true });
}

/** Whether a live process holds the lock on `dir` now (nothing is created or changed to find out). */
export function isLocked(dir: string): boolean {
  const file = path.join(path.resolve(dir), LOCK_NAME);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile() || held.has(path.resolve(dir)))
    return held.has(path.resolve(dir));
  const db = new Database(file, { timeout: 0, fileMustExist: true });
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}
