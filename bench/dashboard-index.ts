// `node dist/bench/dashboard-index.js [--runs 5000] [--levels 16]`: how fast the dashboard answers over a large root:
// an index of that many lottery runs (fake rows, no files), then the first page of runs cold (opening the index)
// and warm, a late page, and a hyperparameter filter, each timed through the server's own request handling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { openIndex } from '../src/store/index-db.js';
import { createDashboard } from '../src/dashboard/server.js';
import { positiveInt } from '../src/util/flags.js';

const o = new Command('dashboard-index')
  .option('--runs <n>', 'runs in the index', positiveInt('--runs', 1_000_000), 5000)
  .option('--levels <n>', 'levels per run', positiveInt('--levels', 100), 16)
  .parse()
  .opts<{ runs: number; levels: number }>();

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-dashboard-'));
try {
  const index = openIndex(root);
  for (let i = 0; i < o.runs; i++) {
    const id = `lottery_${String(i).padStart(16, '0')}/replicate_1/main`;
    index.upsertRun({
      id,
      kind: 'lottery',
      model: 'mnist_lenet_300_100',
      dir: path.join(root, `run_${i}`),
      hparams: { 'training.lr': 0.0012, index: i },
      status: 'done',
    });
    for (let l = 0; l < o.levels; l++)
      index.upsertLevel({
        runId: id,
        level: l,
        density: 0.8 ** l,
        testAccuracy: 0.98,
        layerDensity: { fc1: 0.8 ** l },
      });
  }
  index.close();
  const app = await createDashboard({ root });
  const last = Math.ceil(o.runs / 50);
  for (const [what, url] of [
    ['first page, cold', '/api/runs'],
    ['first page, warm', '/api/runs'],
    [`page ${last}`, `/api/runs?page=${last}`],
    ['hyperparameter filter', `/api/runs?hparam=${encodeURIComponent(`index=${o.runs - 1}`)}`],
  ] as const) {
    const t = performance.now();
    const r = await app.inject(url);
    console.log(
      `${what.padEnd(22)} ${(performance.now() - t).toFixed(1).padStart(7)} ms  (${r.statusCode}, ${r.body.length} bytes)`,
    );
  }
  await app.close();
  console.log(
    `${o.runs} runs × ${o.levels} levels; ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`,
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
