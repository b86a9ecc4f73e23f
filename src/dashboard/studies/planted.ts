// Plant 'n' Seek in the dashboard: every stored seek of every planted run (`planted_<hash>/seeks/*/result.json`,
// written by `ticketlab seek`) with the ticket's quality and how much of the planted ticket its mask recovered, and
// the Jaccard index against density relative to the planted one, per pruner.
import path from 'node:path';
import { readJson } from '../../store/json.js';
import { PLANTED_FILES, plantedMetaSchema } from '../../studies/planted/store.js';
import { storedSeek, storedSeeks } from '../../studies/planted/seek-store.js';
import { VEGA_LITE_SCHEMA, type StudyRow, type StudyView } from './view.js';

export const plantedView: StudyView = {
  kind: 'planted',
  title: "Plant 'n' Seek",
  columns: [
    { key: 'experiment', title: 'planted run', format: 'text' },
    { key: 'task', title: 'task', format: 'text' },
    { key: 'pruner', title: 'pruner', format: 'text' },
    { key: 'mode', title: 'mode', format: 'text' },
    { key: 'seed', title: 'seed', format: 'int' },
    { key: 'density', title: 'density', format: 'pct' },
    { key: 'planted_density', title: 'planted density', format: 'pct' },
    { key: 'accuracy', title: 'ticket test accuracy', format: 'pct' },
    { key: 'mse', title: 'ticket test MSE', format: 'num' },
    { key: 'precision', title: 'precision', format: 'pct' },
    { key: 'recall', title: 'recall', format: 'pct' },
    { key: 'jaccard', title: 'Jaccard', format: 'pct' },
    { key: 'collapsed', title: 'layer collapse', format: 'text' },
  ],
  read(experiments) {
    const rows: StudyRow[] = [];
    for (const e of experiments) {
      let task: string;
      try {
        task = readJson(path.join(e.dir, PLANTED_FILES.meta), plantedMetaSchema).task;
      } catch (err) {
        rows.push({ experiment: e.name, error: (err as Error).message });
        continue;
      }
      for (const s of storedSeeks(e.dir))
        try {
          const r = readJson(s.file, storedSeek);
          rows.push({
            experiment: e.name,
            task,
            pruner: r.pruner,
            mode: r.multishot ? `multishot ${r.rounds}` : 'one-shot',
            seed: r.seed,
            density: r.density,
            planted_density: r.planted_density,
            relative_density: r.density / r.planted_density,
            accuracy: r.ticket.test.accuracy ?? null,
            mse: r.ticket.test.accuracy === undefined ? Number(r.ticket.test.loss.toPrecision(4)) : null,
            precision: r.recovery.total.precision,
            recall: r.recovery.total.recall,
            jaccard: r.recovery.total.jaccard,
            collapsed: r.collapse.collapsed ? 'yes' : 'no',
          });
        } catch (err) {
          rows.push({ experiment: e.name, error: (err as Error).message });
        }
    }
    return {
      rows,
      plots: [
        {
          title: 'Planted ticket recovered (Jaccard) against density ÷ planted density',
          spec: {
            $schema: VEGA_LITE_SCHEMA,
            width: 'container',
            height: 280,
            data: { values: rows.filter((r) => !r.error && r.jaccard !== null) },
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: {
              x: {
                field: 'relative_density',
                type: 'quantitative',
                title: 'density ÷ planted density',
                scale: { type: 'log' },
              },
              y: { field: 'jaccard', type: 'quantitative', title: 'Jaccard index', axis: { format: '%' } },
              color: { field: 'pruner', type: 'nominal', legend: { orient: 'bottom' } },
              shape: { field: 'task', type: 'nominal' },
            },
          },
        },
      ],
    };
  },
};
