// What the OS says about another process on this machine: whether a pid runs, and since when. Used to tell a
// dead lock holder or an interrupted writer from a live one without waiting for anything to go stale.
import * as fs from 'node:fs';

/** True if a process with this pid exists on this machine (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Linux reports a process's start in clock ticks since boot; USER_HZ is 100 on every architecture Node runs on.
const USER_HZ = 100;
let bootMs: number | null | undefined;

/** When process `pid` started (ms since the epoch, ±1 s), or null where /proc cannot tell (not Linux, no such pid). */
export function processStartMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 of proc(5), counting from the state field (3)
    const boot = bootTimeMs();
    return boot === null || !Number.isFinite(ticks) ? null : boot + (ticks * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

function bootTimeMs(): number | null {
  if (bootMs === undefined) {
    try {
      const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
      bootMs = m ? Number(m[1]) * 1000 : null;
    } catch {
      bootMs = null;
    }
  }
  return bootMs;
}

/**
 * True when a file written at `writtenMs` by process `pid` (of this machine) can no longer be written by it: the
 * pid is gone, or it now belongs to a process that started after the write (the pid was reused).
 */
export function writerIsGone(pid: number, writtenMs: number): boolean {
  if (pid === process.pid) return false;
  if (!isProcessAlive(pid)) return true;
  const started = processStartMs(pid);
  return started !== null && started > writtenMs + 2_000; // 2 s: btime is whole seconds, ticks are 10 ms
}
