// `ticketlab serve [--root DIR] [--host 127.0.0.1] [--port 8765]`: the dashboard (src/dashboard/) over a run root,
// until Ctrl-C. Binds the loopback interface unless --host says otherwise, and then warns: the pages show every
// run's hyperparameters and files to whoever can reach the port.
import type { Command } from 'commander';
import { createDashboard } from '../../dashboard/server.js';
import { defaultRoot } from '../../store/root.js';
import { nonNegativeInt } from '../../util/flags.js';
import { UserError } from '../../util/errors.js';
import { warn } from '../../util/warn.js';
import { emit, say, type GlobalOptions } from '../output.js';
import fs from 'node:fs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('a read-only web dashboard of the runs in a root: runs, tickets, masks, live progress')
    .option('--root <dir>', 'run root (default: $TICKETLAB_ROOT or ~/.ticketlab/runs)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', nonNegativeInt('--port'), 8765)
    .action(async (o: { root?: string; host: string; port: number }) => {
      const g = program.opts<GlobalOptions>();
      const root = o.root ?? defaultRoot();
      if (!fs.existsSync(root)) throw new UserError(`no run root at ${root} (give --root, or run something first)`);
      if (o.port > 65535) throw new UserError(`--port must be at most 65535, got ${o.port}`);
      if (!LOOPBACK.has(o.host))
        warn(`listening on ${o.host}: anyone who can reach this port sees every run in ${root} (read-only)`);
      const app = await createDashboard({ root });
      let url: string;
      try {
        url = await app.listen({ host: o.host, port: o.port });
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new UserError(
          code === 'EADDRINUSE'
            ? `port ${o.port} is in use on ${o.host}: give another --port (0 for any free one)`
            : `cannot listen on ${o.host}:${o.port}: ${(e as Error).message}`,
        );
      }
      if (g.json) emit(g, { url, root });
      else say(g, `ticketlab dashboard at ${url} (root ${root}); Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = () => void app.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
