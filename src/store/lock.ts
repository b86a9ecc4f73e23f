// One ticketlab process per run directory. proper-lockfile holds `<dir>/.lock` (an mkdir lock)
// and refreshes its mtime every `updateMs`; a lock not refreshed for `staleMs` counts as stale and
// is taken over, so a holder killed with -9 blocks the directory only briefly. The holder's pid
// goes to a sidecar file (`<dir>/.lock.pid`) purely for the error message.
//
// The refresh runs on a timer: a holder whose event loop is blocked for longer than `staleMs`
// (one long synchronous computation) can lose the lock. Long loops should yield now and then and
// call `assertHeld()` before writing results.

import * as fs from 'node:fs';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../util/errors.js';
import { ensureWritableDir, writeFileAtomic } from './atomic.js';

export const LOCK_NAME = '.lock';
export const LOCK_PID_NAME = '.lock.pid';

export interface LockOptions {
  /** A lock whose mtime is older than this is stale (proper-lockfile's minimum is 2000). Default 10000. */
  staleMs?: number;
  /** How often the holder refreshes the mtime (min 1000, at most staleMs / 2). Default 2000. */
  updateMs?: number;
}

export interface RunLock {
  readonly dir: string;
  /** Set when the lock was lost (e.g. taken over after the event loop stalled past staleMs). */
  readonly compromised: Error | null;
  /** Throws a UserError if the lock has been lost; call before writing results. */
  assertHeld(): void;
  /** Idempotent. */
  release(): Promise<void>;
}

/** Lock run directory `dir` (created if missing) or throw a UserError naming the holder's pid. */
export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<RunLock> {
  const abs = path.resolve(dir);
  ensureWritableDir(abs, 'run directory');
  const pidFile = path.join(abs, LOCK_PID_NAME);
  let compromised: Error | null = null;

  const staleMs = opts.staleMs ?? 10_000;
  const attempt = (retries: number) =>
    lockfile.lock(abs, {
      lockfilePath: path.join(abs, LOCK_NAME),
      realpath: false,
      stale: staleMs,
      update: opts.updateMs ?? 2_000,
      retries: retries > 0 ? { retries, minTimeout: 500, maxTimeout: 500, factor: 1 } : 0,
      // The default throws from a timer, crashing the process; record it and let the owner decide.
      onCompromised: (err) => {
        compromised = err;
      },
    });
  let unlock: () => Promise<void>;
  try {
    try {
      unlock = await attempt(0);
    } catch (err) {
      // A holder that died (kill -9) stops refreshing its lock, which goes stale within staleMs: when the
      // recorded pid no longer exists on this machine, wait for that instead of failing.
      const pid = readPid(pidFile);
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || pid === null || pid === process.pid || isAlive(pid)) throw err;
      unlock = await attempt(Math.ceil((staleMs + 2_000) / 500));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new UserError(inUseMessage(abs, readPid(pidFile)));
    throw new UserError(`cannot lock run ${abs}: ${(err as Error).message}`);
  }

  try {
    writeFileAtomic(pidFile, `${process.pid}\n`);
  } catch (err) {
    await unlock();
    throw err;
  }

  let released = false;
  return {
    dir: abs,
    get compromised() {
      return compromised;
    },
    assertHeld() {
      if (released) throw new UserError(`run ${abs} lock was already released`);
      if (compromised) throw new UserError(`run ${abs} lock was lost (${compromised.message}); another process may be using it`);
    },
    async release() {
      if (released) return;
      released = true;
      if (compromised) return; // proper-lockfile already dropped it; the directory may be someone else's now
      if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
      await unlock();
    },
  };
}

/** Run `fn` while holding the lock on `dir`; the lock is released however `fn` ends. */
export async function withLock<T>(dir: string, fn: (lock: RunLock) => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(dir, opts);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // holder is between mkdir and writing its pid, or crashed in that window
  }
}

function inUseMessage(dir: string, pid: number | null): string {
  if (pid === process.pid) return `run ${dir} is already locked by this process (pid ${pid})`;
  return `run ${dir} is in use by another ticketlab process (pid ${pid ?? 'unknown'})`;
}
