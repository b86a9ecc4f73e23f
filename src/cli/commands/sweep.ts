// `ticketlab sweep SPEC.yaml [--root DIR] [--jobs N]`: every job of a sweep spec (src/sweeps/spec.ts) as its own
// `ticketlab` process, N at a time on this machine, with a progress bar over the grid and a summary table at the
// end. Jobs recorded as done are skipped; a failed job never stops the others; the exit is non-zero when any failed.
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { parseSweepSpec, type CommandFlags, type SweepJob } from '../../sweeps/spec.js';
import { runLocalPool } from '../../sweeps/local-pool.js';
import { readJobRecords, writeSweepPlan, type JobRecord } from '../../sweeps/state.js';
import { checkRedis, enqueueSweep, sweepStatus } from '../../sweeps/queue.js';
import { defaultRoot } from '../../store/root.js';
import { ensureWritableDir } from '../../store/atomic.js';
import { positiveInt } from '../../util/flags.js';
import { UserError } from '../../util/errors.js';
import { markdownTable } from '../../report/table.js';
import { progressBar } from '../progress.js';
import { stopSignal } from '../stop.js';
import { emit, say, type GlobalOptions } from '../output.js';

/** The commands a sweep may run: those that store a run and find it again. */
const SWEEPABLE = [
  'train',
  'lottery',
  'plant',
  'seek',
  'grok',
  'supertickets',
  'ks-study',
  'ltp-study',
  'ownership-study',
  'supertickets-study',
];

export function sweepCommandFlags(program: Command): CommandFlags {
  const out = new Map<string, Set<string>>();
  for (const c of program.commands)
    if (SWEEPABLE.includes(c.name()))
      out.set(c.name(), new Set(c.options.map((o) => (o.long ?? '').replace(/^--/, '')).filter(Boolean)));
  return out;
}

/** A job's headline result for the summary: accuracy and density when the command reports them. */
function headline(r: JobRecord | undefined): string {
  const res = r?.result;
  if (!res) return '';
  const acc = ['test_accuracy', 'final_test_accuracy'].map((k) => res[k]).find((v) => typeof v === 'number');
  const parts = [];
  if (typeof acc === 'number') parts.push(`test ${(100 * acc).toFixed(2)}%`);
  if (typeof res.density === 'number') parts.push(`density ${(100 * res.density).toFixed(2)}%`);
  return parts.join(', ');
}

interface SweepFlags {
  root?: string;
  jobs?: number;
  threadsPerJob: number;
  queue?: string;
  detach?: boolean;
}

/** With --queue: put the jobs on the queue and follow them, or only one of the two. */
async function queueSweep(
  g: GlobalOptions,
  spec: ReturnType<typeof parseSweepSpec>,
  url: string,
  mode: 'status' | 'detach' | 'follow',
): Promise<void> {
  if (mode !== 'status') {
    await enqueueSweep(url, spec.hash, spec.jobs);
    say(
      g,
      `sweep ${spec.hash}: ${spec.jobs.length} jobs of ${spec.command} on ${url}; start workers with ticketlab worker --queue ${url}`,
    );
    if (mode === 'detach') return;
  }
  const bar = progressBar('sweep', spec.jobs.length, !g.json && mode === 'follow');
  const signal = stopSignal();
  let s = await sweepStatus(url, spec.jobs);
  try {
    while (mode === 'follow' && s.waiting + s.active > 0 && !signal.aborted) {
      bar.report(s.done + s.failed, spec.jobs.length, `${s.active} running, ${s.waiting} waiting, ${s.failed} failed`);
      await new Promise((r) => setTimeout(r, 1000));
      s = await sweepStatus(url, spec.jobs);
    }
  } finally {
    bar.stop();
  }
  if (g.json) emit(g, { sweep: spec.hash, total: spec.jobs.length, ...s });
  else {
    say(
      g,
      `sweep ${spec.hash}: ${s.done} done, ${s.failed} failed, ${s.active} running, ${s.waiting} waiting` +
        (s.missing ? `, ${s.missing} not on the queue` : '') +
        ` of ${spec.jobs.length}`,
    );
    for (const f of s.failures) say(g, `  failed after ${f.attempts} attempts: ${JSON.stringify(f.point)}: ${f.error}`);
  }
  if (mode === 'follow' && s.failed > 0)
    throw new UserError(`${s.failed} of ${spec.jobs.length} jobs failed (first: ${s.failures[0]!.error})`);
}

export function sweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run a grid of runs from a YAML spec: many processes on this machine, finished jobs skipped')
    .argument('<spec>', "the sweep spec (YAML: command, flags, axes, replicates), or 'status' followed by the spec")
    .argument('[spec]', "with 'status': the spec whose progress on --queue to show")
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .option('--jobs <n>', 'jobs at once (default: one per core)', positiveInt('--jobs', 1024))
    .option('--threads-per-job <n>', 'compute threads of each job', positiveInt('--threads-per-job', 256), 1)
    .option('--queue <url>', 'redis://HOST:PORT: put the jobs on this BullMQ queue for `ticketlab worker`s')
    .option('--detach', 'with --queue: only put the jobs on the queue, do not follow them')
    .action(async (first: string, second: string | undefined, o: SweepFlags) => {
      const g = program.opts<GlobalOptions>();
      const status = first === 'status';
      const specFile = status ? second : first;
      if (!specFile) throw new UserError("'sweep status' needs the spec: ticketlab sweep status SPEC --queue URL");
      if (!fs.existsSync(specFile)) throw new UserError(`no sweep spec at ${specFile}`);
      const spec = parseSweepSpec(fs.readFileSync(specFile, 'utf8'), specFile, sweepCommandFlags(program));
      if (status && !o.queue) throw new UserError("'sweep status' reads the queue: give --queue redis://HOST:PORT");
      if (status) return queueSweep(g, spec, o.queue!, 'status');
      const root = o.root ?? defaultRoot();
      const plan = () => {
        // The plan beside the records, for `report --sweep` (on the shared root, whichever machine submits).
        ensureWritableDir(root);
        writeSweepPlan(root, spec.hash, {
          command: spec.command,
          flags: spec.flags,
          axes: spec.axes,
          replicates: spec.replicates,
          jobs: spec.jobs,
        });
      };
      if (o.queue) {
        await checkRedis(o.queue); // an unreachable queue writes nothing
        plan();
        return queueSweep(g, spec, o.queue, o.detach ? 'detach' : 'follow');
      }
      plan();
      const records = readJobRecords(root);
      const todo = spec.jobs.filter((j) => records.get(j.key)?.status !== 'done');
      const parallel = Math.min(o.jobs ?? os.availableParallelism(), Math.max(1, todo.length));
      if (!g.json)
        say(
          g,
          `sweep ${spec.hash}: ${spec.jobs.length} jobs of ${spec.command}, ${spec.jobs.length - todo.length} already done, ` +
            `${todo.length} to run, ${parallel} at a time`,
        );
      const bar = progressBar('sweep', spec.jobs.length, !g.json);
      const signal = stopSignal();
      try {
        await runLocalPool(todo, spec.jobs.length - todo.length, {
          root,
          parallel,
          threads: o.threadsPerJob,
          signal,
          onUpdate: (p, ended) => {
            bar.report(p.done + p.skipped + p.failed, p.total, `${p.running} running, ${p.failed} failed`);
            if (ended) records.set(ended.job.key, ended.record);
          },
        });
      } finally {
        bar.stop();
      }
      const rows = spec.jobs.map((j: SweepJob) => ({ job: j, record: records.get(j.key) }));
      const failed = rows.filter((r) => r.record?.status === 'failed');
      const notRun = rows.filter((r) => !r.record);
      if (g.json)
        emit(g, {
          sweep: spec.hash,
          total: spec.jobs.length,
          done: rows.filter((r) => r.record?.status === 'done').length,
          failed: failed.length,
          not_run: notRun.length,
          jobs: rows.map((r) => ({
            point: r.job.point,
            args: r.job.args,
            status: r.record?.status ?? 'not run',
            seconds: r.record?.seconds ?? null,
            error: r.record?.error ?? null,
            result: r.record?.result ?? null,
          })),
        });
      else {
        const axes = [
          ...Object.keys(spec.axes),
          ...(spec.replicates > 1 && spec.replicateFlag ? [spec.replicateFlag] : []),
        ];
        say(
          g,
          markdownTable(
            [...axes, 'status', 'seconds', 'result'],
            rows.map((r) => [
              ...axes.map((a) => String(r.job.point[a])),
              r.record?.status ?? 'not run',
              r.record ? r.record.seconds.toFixed(0) : '',
              r.record?.status === 'failed' ? (r.record.error ?? '') : headline(r.record),
            ]),
          ),
        );
      }
      if (signal.aborted) throw new UserError(`sweep stopped: ${notRun.length} job(s) not run; rerun to go on`);
      if (failed.length > 0)
        throw new UserError(
          `${failed.length} of ${spec.jobs.length} jobs failed (first: ${failed[0]!.record!.error}); rerun to retry them`,
        );
    });
}
