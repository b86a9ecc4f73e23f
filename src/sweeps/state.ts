// What sweeps have finished: `<root>/sweeps/jobs.jsonl`, one JSON line per job that ended (appended, so a stopped
// sweep loses nothing), keyed by the hash of the job's command line, the last line of a job winning. Any sweep over
// the root skips the jobs recorded as done, whichever sweep ran them; failed ones run again. Each sweep's plan (its
// spec and jobs) is `<root>/sweeps/<grid hash>/sweep.json`.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../store/atomic.js';

export const jobRecord = z.object({
  key: z.string(),
  status: z.enum(['done', 'failed']),
  seconds: z.number(),
  /** The command's last JSON line (its result), when it succeeded. */
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  finished: z.string(),
});
export type JobRecord = z.infer<typeof jobRecord>;

export function sweepsDir(root: string): string {
  return path.join(root, 'sweeps');
}

export function readJobRecords(root: string): Map<string, JobRecord> {
  const out = new Map<string, JobRecord>();
  const file = path.join(sweepsDir(root), 'jobs.jsonl');
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = jobRecord.safeParse(JSON.parse(line));
      if (r.success) out.set(r.data.key, r.data);
    } catch {
      // a line cut short by a crash: that job is simply not recorded, and runs again
    }
  }
  return out;
}

export function appendJobRecord(root: string, r: JobRecord): void {
  fs.mkdirSync(sweepsDir(root), { recursive: true });
  fs.appendFileSync(path.join(sweepsDir(root), 'jobs.jsonl'), JSON.stringify(r) + '\n');
}

/** A sweep's spec and jobs, so reports can group its runs by the axes. */
export function writeSweepPlan(root: string, hash: string, plan: object): void {
  const dir = path.join(sweepsDir(root), hash);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'sweep.json'), JSON.stringify(plan, null, 2) + '\n');
}
