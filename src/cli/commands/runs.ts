// `ticketlab runs`: lists runs from the SQLite index of a run root.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openIndex, INDEX_FILE } from '../../store/index-db.js';
import { defaultRoot } from '../../store/root.js';
import { isLocked } from '../../store/lock.js';
import { UserError } from '../../util/errors.js';
import { emit, say, type GlobalOptions } from '../output.js';

/**
 * The index is a cache: a run whose directory is gone is 'deleted', and one the index calls 'running' that no
 * process holds the lock of was interrupted (killed before it could say so).
 */
function liveStatus(dir: string, status: string): string {
  if (!fs.existsSync(dir)) return 'deleted';
  if (status === 'running' && !isLocked(dir)) return 'interrupted';
  return status;
}

export function runsCommand(program: Command): void {
  program
    .command('runs')
    .description('list stored runs (from the run index)')
    .option('--root <dir>', 'run root (default as for lottery)')
    .option('--model <name>', 'only runs of this model')
    .option('--levels', "also list each run's levels")
    .action((o: { root?: string; model?: string; levels?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      const root = o.root ?? defaultRoot();
      if (!fs.existsSync(path.join(root, INDEX_FILE)))
        throw new UserError(`no runs under ${root} (no ${INDEX_FILE}); run \`ticketlab lottery\` first or pass --root`);
      const index = openIndex(root);
      try {
        const runs = index.listRuns({ model: o.model }).map((r) => ({ ...r, status: liveStatus(r.dir, r.status) }));
        const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
        for (const r of runs) {
          const levels = index.levels(r.id);
          const last = levels[levels.length - 1];
          if (g.json) {
            emit(g, {
              id: r.id,
              kind: r.kind,
              model: r.model,
              status: r.status,
              dir: r.dir,
              levels: levels.length,
              min_density: last?.density ?? null,
              updated_at: r.updatedAt,
              ...(o.levels ? { level_rows: levels } : {}),
            });
            continue;
          }
          const reached = last ? `, down to ${pct(last.density)} (test acc ${pct(last.testAccuracy)})` : '';
          say(
            g,
            `${r.id}  ${r.model}  ${r.status}  ${levels.length} level${levels.length === 1 ? '' : 's'}${reached}  ${r.updatedAt}`,
          );
          if (o.levels)
            for (const l of levels)
              say(
                g,
                `    level ${l.level}: ${pct(l.density)}  test ${pct(l.testAccuracy)}  best ${pct(l.bestTestAccuracy)}  early stop ${l.earlyStopStep}`,
              );
        }
        if (!g.json && runs.length === 0) say(g, `no runs under ${root}`);
      } finally {
        index.close();
      }
    });
}
