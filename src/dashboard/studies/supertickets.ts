// SuperTickets in the dashboard: every run (method, budget, dataset, transfer) with its accuracy, MACs and channels
// cut, from `supertickets_<hash>/hparams.json` and `seed_<s>/result.json`, and accuracy against kept MACs.
import path from 'node:path';
import { z } from 'zod';
import { readJson } from '../../store/json.js';
import { HPARAMS_FILE } from '../../store/experiment-dir.js';
import { attempt, seedDirs } from './seed-dirs.js';
import { VEGA_LITE_SCHEMA, type StudyRow, type StudyView } from './view.js';
import fs from 'node:fs';

const settings = z.object({
  settings: z
    .object({ targetRatio: z.number(), order: z.string(), reactivation: z.string(), epochs: z.number() })
    .passthrough(),
});
const result = z
  .object({
    dataset: z.string(),
    test_accuracy: z.number(),
    flops: z.number(),
    params: z.number(),
    density: z.number(),
    channels_cut: z.number(),
    transferred_from: z.string().nullable().optional(),
    transfer_reinit: z.boolean().optional(),
    seconds: z.number(),
  })
  .passthrough();

export const superticketsView: StudyView = {
  kind: 'supertickets',
  title: 'SuperTickets',
  columns: [
    { key: 'experiment', title: 'experiment', format: 'text' },
    { key: 'seed', title: 'seed', format: 'int' },
    { key: 'dataset', title: 'dataset', format: 'text' },
    { key: 'method', title: 'method', format: 'text' },
    { key: 'target_ratio', title: 'pruned', format: 'pct' },
    { key: 'epochs', title: 'epochs', format: 'int' },
    { key: 'test_accuracy', title: 'test accuracy', format: 'pct' },
    { key: 'macs', title: 'MACs kept', format: 'mega' },
    { key: 'params', title: 'weights kept', format: 'int' },
    { key: 'channels_cut', title: 'channels cut', format: 'int' },
    { key: 'transferred_from', title: 'backbone from', format: 'text' },
  ],
  read(experiments) {
    const rows: StudyRow[] = [];
    for (const e of experiments)
      rows.push(
        ...attempt(e.name, () => {
          const s = readJson(path.join(e.dir, HPARAMS_FILE), settings).settings;
          return seedDirs(e.dir)
            .filter(({ dir }) => fs.existsSync(path.join(dir, 'result.json')))
            .map(({ seed, dir }) => {
              const r = readJson(path.join(dir, 'result.json'), result);
              const method = r.transferred_from
                ? r.transfer_reinit
                  ? 'transfer (reinit control)'
                  : 'transfer'
                : s.order === 'joint'
                  ? `joint, reactivation ${s.reactivation}`
                  : s.order;
              return {
                experiment: e.name,
                seed,
                dataset: r.dataset,
                method,
                target_ratio: s.targetRatio,
                epochs: s.epochs,
                test_accuracy: r.test_accuracy,
                macs: r.flops,
                params: r.params,
                channels_cut: r.channels_cut,
                transferred_from: r.transferred_from ?? null,
              };
            });
        }),
      );
    return {
      rows,
      plots: [
        {
          title: 'Test accuracy against MACs kept, by method and dataset',
          spec: {
            $schema: VEGA_LITE_SCHEMA,
            width: 'container',
            height: 280,
            data: { values: rows.filter((r) => !r.error) },
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: {
              x: { field: 'macs', type: 'quantitative', title: 'MACs kept per example', scale: { zero: false } },
              y: {
                field: 'test_accuracy',
                type: 'quantitative',
                title: 'test accuracy',
                axis: { format: '%' },
                scale: { zero: false },
              },
              color: { field: 'method', type: 'nominal', legend: { orient: 'bottom', columns: 2 } },
              shape: { field: 'dataset', type: 'nominal' },
            },
          },
        },
      ],
    };
  },
};
