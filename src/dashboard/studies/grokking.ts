// Grokking Tickets in the dashboard: every control of every seed (t_mem, t_gen, final accuracies) and the test
// accuracy curves of each control, from `grok_<hash>/seed_<s>/<control>/result.json`.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJson } from '../../store/json.js';
import { attempt, seedDirs } from './seed-dirs.js';
import { VEGA_LITE_SCHEMA, type StudyRow, type StudyView } from './view.js';

const result = z
  .object({
    control: z.string(),
    model: z.string(),
    seed: z.number(),
    t_mem: z.number().nullable(),
    t_gen: z.number().nullable(),
    final_train_accuracy: z.number(),
    final_test_accuracy: z.number(),
    epochs: z.number(),
    density: z.number(),
    weight_decay: z.number(),
    curve: z.array(
      z.object({ epoch: z.number(), test_accuracy: z.number(), train_accuracy: z.number() }).passthrough(),
    ),
  })
  .passthrough();

export const grokkingView: StudyView = {
  kind: 'grok',
  title: 'Grokking Tickets',
  columns: [
    { key: 'experiment', title: 'experiment', format: 'text' },
    { key: 'model', title: 'model', format: 'text' },
    { key: 'seed', title: 'seed', format: 'int' },
    { key: 'control', title: 'control (its directory)', format: 'text' },
    { key: 'density', title: 'density', format: 'pct' },
    { key: 'weight_decay', title: 'weight decay', format: 'num' },
    { key: 't_mem', title: 't_mem (epoch)', format: 'int' },
    { key: 't_gen', title: 't_gen (epoch)', format: 'int' },
    { key: 'final_test_accuracy', title: 'final test accuracy', format: 'pct' },
  ],
  read(experiments) {
    const rows: StudyRow[] = [];
    const curves: { series: string; epoch: number; test_accuracy: number }[] = [];
    for (const e of experiments)
      rows.push(
        ...attempt(e.name, () =>
          seedDirs(e.dir).flatMap(({ dir }) =>
            fs
              .readdirSync(dir, { withFileTypes: true })
              .filter((c) => c.isDirectory() && fs.existsSync(path.join(dir, c.name, 'result.json')))
              .map((c) => {
                const r = readJson(path.join(dir, c.name, 'result.json'), result);
                if (r.seed === 0 && e === experiments[0])
                  for (const p of r.curve)
                    curves.push({ series: c.name, epoch: p.epoch, test_accuracy: p.test_accuracy });
                return {
                  experiment: e.name,
                  model: r.model,
                  seed: r.seed,
                  control: c.name,
                  density: r.density,
                  weight_decay: r.weight_decay,
                  t_mem: r.t_mem,
                  t_gen: r.t_gen,
                  final_test_accuracy: r.final_test_accuracy,
                };
              }),
          ),
        ),
      );
    const tgen = rows.filter((r) => typeof r.t_gen === 'number');
    return {
      rows,
      plots: [
        {
          title: 'Epoch of generalization (t_gen) by control; points are seeds',
          spec: {
            $schema: VEGA_LITE_SCHEMA,
            width: 'container',
            height: 260,
            data: { values: tgen },
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: {
              x: { field: 'control', type: 'nominal', title: null, sort: null },
              y: { field: 't_gen', type: 'quantitative', title: 't_gen (epoch)', scale: { type: 'log' } },
              color: { field: 'experiment', type: 'nominal', legend: { orient: 'bottom' } },
            },
          },
        },
        {
          title: `Test accuracy during training (${experiments[0]?.name ?? '—'}, seed 0)`,
          spec: {
            $schema: VEGA_LITE_SCHEMA,
            width: 'container',
            height: 260,
            data: { values: curves },
            mark: 'line',
            encoding: {
              x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { type: 'symlog' } },
              y: { field: 'test_accuracy', type: 'quantitative', title: 'test accuracy', axis: { format: '%' } },
              color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 4 } },
            },
          },
        },
      ],
    };
  },
};
