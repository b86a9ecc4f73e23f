// A running run's progress as `<run dir>/progress.json`, for anyone watching the root (the dashboard pushes it to
// its pages): how far it is, what it is doing and its ETA. Written atomically at most once a second, so a reader
// never sees half a file and a fast loop does not spend its time writing; removed when the run ends.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic.js';

export const PROGRESS_FILE = 'progress.json';

export const progressSchema = z.object({
  done: z.number().min(0),
  total: z.number().min(0),
  info: z.string(),
  started: z.string(),
  updated: z.string(),
  /** Seconds left at the rate so far; null before there is a rate. */
  eta_seconds: z.number().min(0).nullable(),
  pid: z.number().int(),
});
export type Progress = z.infer<typeof progressSchema>;

export interface ProgressFile {
  report(done: number, total: number, info: string): void;
  /** Removes the file (the run's status in the index says how it ended). */
  finish(): void;
}

export function progressFile(dir: string, intervalMs = 1000): ProgressFile {
  const file = path.join(dir, PROGRESS_FILE);
  const started = new Date();
  let first: { at: number; done: number } | null = null;
  let last = 0;
  return {
    report(done, total, info) {
      const now = Date.now();
      if (now - last < intervalMs && done < total) return;
      last = now;
      first ??= { at: now, done };
      const rate = now > first.at ? (done - first.done) / ((now - first.at) / 1000) : 0;
      const p: Progress = {
        done,
        total,
        info,
        started: started.toISOString(),
        updated: new Date(now).toISOString(),
        eta_seconds: rate > 0 ? Math.max(0, (total - done) / rate) : null,
        pid: process.pid,
      };
      try {
        writeFileAtomic(file, JSON.stringify(p) + '\n');
      } catch {
        // progress is advisory: a full disk or a removed directory must not stop the run (its own writes will say)
      }
    },
    finish() {
      fs.rmSync(file, { force: true });
    },
  };
}

/** The progress a run directory holds, or null when there is none (or it cannot be read). */
export function readProgress(dir: string): Progress | null {
  try {
    const r = progressSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, PROGRESS_FILE), 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
