// The local sweep: a pool of worker processes on this machine, each job one `ticketlab --json --threads T <command>`
// process. A failed job never stops the others; every job that ends is recorded at once (state.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../util/node-flags.js';
import { appendJobRecord, type JobRecord } from './state.js';
import type { SweepJob } from './spec.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'ticketlab.js');

export interface PoolProgress {
  done: number;
  failed: number;
  running: number;
  skipped: number;
  total: number;
}

export interface PoolOptions {
  root: string;
  parallel: number;
  threads: number;
  signal?: AbortSignal;
  onUpdate?: (p: PoolProgress, ended?: { job: SweepJob; record: JobRecord }) => void;
}

/** Runs one job as a child process: its last stdout line is its result, its last stderr line its error. */
export function runJobProcess(
  job: SweepJob,
  o: { root: string; threads: number; signal?: AbortSignal },
): Promise<Omit<JobRecord, 'key' | 'finished'>> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, bin, '--json', '--threads', String(o.threads), ...job.args, '--root', o.root],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TICKETLAB_STOP_WITH_PARENT: '1' } },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const stop = () => child.kill('SIGINT');
    o.signal?.addEventListener('abort', stop, { once: true });
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', stop);
      const seconds = (Date.now() - t0) / 1000;
      const last = out.trim().split('\n').pop() ?? '';
      let result: Record<string, unknown> | null;
      try {
        result = JSON.parse(last) as Record<string, unknown>;
      } catch {
        result = null;
      }
      if (code === 0 && result) resolve({ status: 'done', seconds, result, error: null });
      else
        resolve({
          status: 'failed',
          seconds,
          result: null,
          error: (err.trim().split('\n').pop() || `exit code ${code}`).replace(/^ticketlab: error: /, ''),
        });
    });
  });
}

export async function runLocalPool(jobs: SweepJob[], skipped: number, o: PoolOptions): Promise<void> {
  const queue = [...jobs];
  const p: PoolProgress = { done: 0, failed: 0, running: 0, skipped, total: jobs.length + skipped };
  o.onUpdate?.(p);
  const worker = async () => {
    for (let job = queue.shift(); job && !o.signal?.aborted; job = queue.shift()) {
      p.running++;
      o.onUpdate?.(p);
      const r = await runJobProcess(job, o);
      p.running--;
      if (o.signal?.aborted && r.status === 'failed') break; // stopped, not failed: runs again next time
      const record: JobRecord = { key: job.key, ...r, finished: new Date().toISOString() };
      appendJobRecord(o.root, record);
      if (r.status === 'done') p.done++;
      else p.failed++;
      o.onUpdate?.(p, { job, record });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
}
