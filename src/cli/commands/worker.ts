// `ticketlab worker --queue redis://HOST:PORT [--root DIR] [--concurrency N]`: takes sweep jobs from the BullMQ
// queue (src/sweeps/queue.ts) and runs each as its own ticketlab process, until Ctrl-C. Any machine that sees the
// same run root (a shared filesystem) can run one.
import type { Command } from 'commander';
import { startWorker } from '../../sweeps/queue.js';
import { defaultRoot } from '../../store/root.js';
import { ensureWritableDir } from '../../store/atomic.js';
import { positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run sweep jobs from a BullMQ queue (see ticketlab sweep --queue)')
    .requiredOption('--queue <url>', 'redis://HOST:PORT of the queue')
    .option('--root <dir>', 'run root, the same on every machine (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .option('--concurrency <n>', 'jobs at once', positiveInt('--concurrency', 1024), 1)
    .option('--threads-per-job <n>', 'compute threads of each job', positiveInt('--threads-per-job', 256), 1)
    .option(
      '--lease <seconds>',
      "how long a job is held without its worker's heartbeat",
      positiveInt('--lease', 3600),
      30,
    )
    .action(async (o: { queue: string; root?: string; concurrency: number; threadsPerJob: number; lease: number }) => {
      const g = program.opts<GlobalOptions>();
      const root = o.root ?? defaultRoot();
      ensureWritableDir(root);
      const w = await startWorker(o.queue, {
        root,
        concurrency: o.concurrency,
        threads: o.threadsPerJob,
        leaseMs: o.lease * 1000,
        onJob: (event, data, detail) =>
          g.json
            ? emit(g, { event, args: data.args, sweep: data.sweep, ...(detail ? { error: detail } : {}) })
            : say(g, `${event}: ${data.args.join(' ')}${detail ? ` (${detail})` : ''}`),
      });
      say(g, `worker on ${o.queue}, root ${root}, ${o.concurrency} job(s) at once; Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = () => void w.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
