// Sweeps across machines on a BullMQ queue in Redis: `sweep --queue URL` puts each job on the queue under its
// job key (a job already there is not added twice), `worker --queue URL` takes jobs on any machine that sees the
// same run root. BullMQ gives what a home-made scheduler would get wrong: retries with backoff (3 attempts), a lease
// on every active job (a worker that dies stops renewing it, and the job goes back to the queue), and counts by
// state for `sweep status`. A job is an ordinary command, so a job run twice finds its stored run the second time.
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { UserError } from '../util/errors.js';
import { runJobProcess } from './local-pool.js';
import { appendJobRecord, type JobRecord } from './state.js';
import type { SweepJob } from './spec.js';

export const QUEUE_NAME = 'ticketlab-sweeps';
export const ATTEMPTS = 3;

export interface QueueJobData {
  args: string[];
  point: SweepJob['point'];
  sweep: string;
}

interface Connection {
  host: string;
  port: number;
  db: number;
  password?: string;
  username?: string;
}

/** `redis://[user:password@]host[:port][/db]` as connection options; anything else is a one-line error. */
export function parseRedisUrl(url: string): Connection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue must be a redis://HOST:PORT URL, got '${url}'`);
  }
  if (u.protocol !== 'redis:' || !u.hostname)
    throw new UserError(`--queue must be a redis://HOST:PORT URL, got '${url}'`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UserError(`--queue: '${u.pathname.slice(1)}' is not a Redis database number`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}

/** Fails within seconds, in one line, when Redis cannot be reached. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<Connection> {
  const c = parseRedisUrl(url);
  const client = new Redis({
    ...c,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause = '';
  client.on('error', (e: Error & { code?: string }) => (cause ||= e.code ?? e.message)); // reported below, once
  try {
    await client.connect();
    await client.ping();
    return c;
  } catch (e) {
    throw new UserError(`cannot reach Redis at ${url} (${cause || (e as Error).message})`);
  } finally {
    client.disconnect();
  }
}

function queueOf(c: Connection): Queue<QueueJobData> {
  return new Queue<QueueJobData>(QUEUE_NAME, { connection: { ...c, maxRetriesPerRequest: null } });
}

/** Puts the jobs on the queue (each under its key, so one already there is not added again). */
export async function enqueueSweep(url: string, sweep: string, jobs: SweepJob[]): Promise<number> {
  const c = await checkRedis(url);
  const q = queueOf(c);
  try {
    const added = await q.addBulk(
      jobs.map((j) => ({
        name: j.args[0]!,
        data: { args: j.args, point: j.point, sweep },
        opts: {
          jobId: j.key,
          attempts: ATTEMPTS,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    return added.length;
  } finally {
    await q.close();
  }
}

export interface QueueStatus {
  waiting: number;
  active: number;
  done: number;
  failed: number;
  /** Jobs of this sweep not on the queue at all. */
  missing: number;
  failures: { point: SweepJob['point']; error: string; attempts: number }[];
}

/** Where every job of a sweep stands on the queue. */
export async function sweepStatus(url: string, jobs: SweepJob[]): Promise<QueueStatus> {
  const c = await checkRedis(url);
  const q = queueOf(c);
  try {
    const s: QueueStatus = { waiting: 0, active: 0, done: 0, failed: 0, missing: 0, failures: [] };
    for (const j of jobs) {
      const job = await q.getJob(j.key);
      const state = job ? await job.getState() : 'missing';
      if (state === 'completed') s.done++;
      else if (state === 'failed') {
        s.failed++;
        s.failures.push({ point: j.point, error: job!.failedReason, attempts: job!.attemptsMade });
      } else if (state === 'active') s.active++;
      else if (state === 'missing' || state === 'unknown') s.missing++;
      else s.waiting++; // waiting, delayed (backing off before a retry), prioritized
    }
    return s;
  } finally {
    await q.close();
  }
}

export interface WorkerOptions {
  root: string;
  concurrency: number;
  threads: number;
  /** How long an active job's lease lasts without renewal (a dead worker's jobs go back after it). */
  leaseMs?: number;
  onJob?: (event: 'start' | 'done' | 'failed', data: QueueJobData, detail?: string) => void;
}

/** A worker taking jobs from the queue until `close()`. Each job runs as its own ticketlab process. */
export async function startWorker(url: string, o: WorkerOptions): Promise<{ close(): Promise<void> }> {
  const c = await checkRedis(url);
  const lease = o.leaseMs ?? 30_000;
  const worker = new Worker<QueueJobData>(
    QUEUE_NAME,
    async (job: Job<QueueJobData>) => {
      o.onJob?.('start', job.data);
      const r = await runJobProcess(
        { args: job.data.args, point: job.data.point, key: job.id! },
        { root: o.root, threads: o.threads },
      );
      const record: JobRecord = { key: job.id!, ...r, finished: new Date().toISOString() };
      if (r.status === 'done') appendJobRecord(o.root, record);
      else if (job.attemptsMade + 1 >= ATTEMPTS) appendJobRecord(o.root, record);
      o.onJob?.(r.status, job.data, r.error ?? undefined);
      if (r.status === 'failed') throw new Error(r.error ?? 'the job failed');
      return r.result;
    },
    {
      connection: { ...c, maxRetriesPerRequest: null },
      concurrency: o.concurrency,
      lockDuration: lease,
      stalledInterval: Math.max(1000, Math.floor(lease / 2)),
      maxStalledCount: ATTEMPTS,
    },
  );
  worker.on('error', () => {}); // connection trouble is retried by BullMQ; jobs' own failures are reported above
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
