// Who holds a run lock: `<dir>/.lock.pid` names the holder's pid and host, for messages and for the check across
// machines. Its mtime is the holder's heartbeat, kept fresh by a worker thread so a busy main thread cannot stop it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from './atomic.js';
import { isProcessAlive } from './process-alive.js';

export const LOCK_PID_NAME = '.lock.pid';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the holder last showed it is alive (ms since the epoch). */
  beatMs: number;
}

export function ownerFile(dir: string): string {
  return path.join(dir, LOCK_PID_NAME);
}

/** Record this process as the holder; the first line stays the bare pid, as earlier versions wrote it. */
export function writeOwner(dir: string): void {
  writeFileAtomic(ownerFile(dir), `${process.pid}\n${os.hostname()}\n`);
}

/** The recorded holder, or null if none is recorded (or the record is unreadable). */
export function readOwner(dir: string): LockOwner | null {
  try {
    const file = ownerFile(dir);
    const [pidLine, host] = fs.readFileSync(file, 'utf8').split('\n');
    const pid = Number.parseInt(pidLine ?? '', 10);
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    return { pid, host: host?.trim() || os.hostname(), beatMs: fs.statSync(file).mtimeMs };
  } catch {
    return null;
  }
}

export function isThisProcess(o: LockOwner | null): boolean {
  return o !== null && o.pid === process.pid && o.host === os.hostname();
}

export function isOtherHost(o: LockOwner): boolean {
  return o.host !== os.hostname();
}

/** "pid 123", "pid 123 on host h", or "pid unknown" when the record names a process of this machine that is gone. */
export function describeOwner(o: LockOwner | null): string {
  if (o === null) return 'pid unknown';
  if (isOtherHost(o)) return `pid ${o.pid} on host ${o.host}`;
  return isProcessAlive(o.pid) ? `pid ${o.pid}` : 'pid unknown';
}

/**
 * Touch the owner file every `intervalMs` from a worker thread; unref'd, so it never keeps the process alive.
 * Resolves once the thread runs, so a holder that blocks right after acquiring still beats.
 */
export async function startHeartbeat(dir: string, intervalMs: number): Promise<Worker> {
  const worker = new Worker(new URL('./lock-heartbeat.js', import.meta.url), {
    workerData: { file: ownerFile(dir), intervalMs },
    execArgv: [], // not the parent's flags: inheriting `--input-type=module -e` kept the worker from running its file
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  worker.unref();
  worker.on('error', () => {}); // a heartbeat that stops later only matters across machines, where the holder then looks gone
  return worker;
}
