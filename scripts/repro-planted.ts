// `npm run repro:planted`: Plant 'n' Seek (Fischer & Burkholz, ICLR 2022) on the three synthetic tasks (relu, circle,
// helix) at depth 5, width 100: every pruner, single-shot and multishot, at densities 1, 0.5, 0.1, 0.01 and the
// planted density, several repetitions; test score, the planted ticket's trained score, precision / recall / Jaccard
// of the mask against the planted ground truth and layer collapse. Results go to a JSON-lines file as they finish
// (an interrupted run resumes where it stopped); then docs/results/planted.md is written with tables and figures
// beside the paper's findings.
//   --reps N (default 5)  --tasks relu,circle,helix  --pruners random,magnitude,snip,grasp,synflow  --root DIR
//   --quick (1 rep, 2 epochs, 2 multishot rounds: smoke tests only)  --report-only (only rebuild the document)
// Each repetition r (0-based) re-plants: the mother network, the task data and the planted ticket come from seed r
// (as the paper re-draws per run), and seek uses seed r for its batch order, its pruning batch and the random pruner.
// Density 1 keeps every weight whatever the pruner or mode (nothing is pruned, and the found ticket is trained from
// the same weights with the same seed), so it is run once per task and repetition and recorded for every
// pruner × mode, marked `shared_dense`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { defaultRoot } from '../src/store/root.js';
import { PRUNER_NAMES, type PrunerName } from '../src/pruning/scorers/index.js';
import { plantRun } from '../src/studies/planted/plant-run.js';
import { seek, type SeekResult } from '../src/studies/planted/seek.js';
import { PLANTED_DEFAULTS } from '../src/studies/planted/hparams.js';
import { TASK_NAMES, checkTaskName, makeTask, type TaskName } from '../src/studies/planted/tasks.js';
import type { PlantedMeta } from '../src/studies/planted/store.js';
import { lineChart, markdownTable, summarize, writePlot } from '../src/report/index.js';
import { writeFileAtomic } from '../src/store/atomic.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(repo, 'bin', 'ticketlab.js');
const DEPTH = 5;
const WIDTH = 100;
const DENSITIES = ['1', '0.5', '0.1', '0.01', 'planted'] as const;
type DensityLabel = (typeof DENSITIES)[number];
const MODES = ['single', 'multi'] as const;
type Mode = (typeof MODES)[number];
const MODE_NAME: Record<Mode, string> = { single: 'single-shot', multi: 'multishot' };

const opts = new Command('repro-planted')
  .option('--reps <n>', 'repetitions (each re-plants with its own seed)', '5')
  .option('--tasks <list>', 'comma-separated tasks', TASK_NAMES.join(','))
  .option('--pruners <list>', 'comma-separated pruners', PRUNER_NAMES.join(','))
  .option('--root <dir>', 'run root (planted networks and results.jsonl)')
  .option('--quick', 'smoke test: 1 repetition, 2 epochs, 2 multishot rounds')
  .option('--report-only', 'only write the document from the recorded results')
  .parse()
  .opts<{ reps: string; tasks: string; pruners: string; root?: string; quick?: boolean; reportOnly?: boolean }>();

const quick = opts.quick ?? false;
const reps = quick ? 1 : Number(opts.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${opts.reps}`);
const tasks = opts.tasks.split(',').map((t) => checkTaskName(t.trim()));
const pruners = opts.pruners.split(',').map((p) => {
  const n = p.trim();
  if (!(PRUNER_NAMES as readonly string[]).includes(n)) throw new Error(`unknown pruner '${n}': choose from ${PRUNER_NAMES.join(', ')}`);
  return n as PrunerName;
});
const EPOCHS = quick ? 2 : 10;
const ROUNDS = quick ? 2 : 10;
const root = opts.root ?? path.join(defaultRoot(), quick ? 'repro-planted-quick' : 'repro-planted');
const resultsFile = path.join(root, 'results.jsonl');

/** One recorded configuration (a line of results.jsonl). */
interface Row {
  key: string;
  task: TaskName;
  rep: number;
  seed: number;
  pruner: PrunerName;
  mode: Mode;
  density_label: DensityLabel;
  epochs: number;
  rounds: number;
  shared_dense: boolean;
  finished_at: string;
  /** Seconds spent on this configuration (for shared dense rows: the one run they share, counted once). */
  seconds: number;
  error?: string;
  result?: SeekResult;
}

const keyOf = (task: string, rep: number, pruner: string, mode: Mode, d: DensityLabel) => `${task}|rep${rep}|${pruner}|${mode}|${d}|e${EPOCHS}|r${ROUNDS}`;

function readRows(): Row[] {
  if (!fs.existsSync(resultsFile)) return [];
  const rows: Row[] = [];
  for (const line of fs.readFileSync(resultsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as Row);
    } catch {
      /* a line cut short by an interruption: that configuration is redone */
    }
  }
  return rows;
}

function append(row: Row): void {
  fs.appendFileSync(resultsFile, `${JSON.stringify(row)}\n`);
}

const fmtTime = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

function scoreText(task: TaskName, r: SeekResult['ticket']): string {
  return task === 'circle' ? `acc ${(100 * r.test.accuracy!).toFixed(1)}%` : `MSE ${r.test.loss.toExponential(2)}`;
}

async function runAll(): Promise<number> {
  fs.mkdirSync(root, { recursive: true });
  const done = new Set(readRows().map((r) => r.key));
  // Repetition-major order: an interrupted run leaves every cell with some repetitions rather than some cells full.
  const jobs: { task: TaskName; rep: number; d: DensityLabel; mode: Mode; pruner: PrunerName }[] = [];
  for (let rep = 0; rep < reps; rep++)
    for (const task of tasks)
      for (const d of DENSITIES)
        for (const mode of MODES)
          for (const pruner of pruners) jobs.push({ task, rep, d, mode, pruner });
  const todo = jobs.filter((j) => !done.has(keyOf(j.task, j.rep, j.pruner, j.mode, j.d)));
  console.error(`repro:planted: ${jobs.length} configurations, ${jobs.length - todo.length} already recorded in ${resultsFile}; ${EPOCHS} epochs, ${ROUNDS} multishot rounds${quick ? ' (QUICK)' : ''}`);
  const started = Date.now();
  const spent: Record<Mode, number[]> = { single: [], multi: [] };
  const eta = (rest: typeof todo) => {
    const avg = (m: Mode) => (spent[m].length ? spent[m].reduce((a, b) => a + b, 0) / spent[m].length : NaN);
    const s = rest.filter((j) => j.d !== '1').reduce((t, j) => t + (avg(j.mode) || avg('single') * 3.5 || 0), 0);
    return Number.isFinite(s) && s > 0 ? ` ETA ${fmtTime(s)}` : '';
  };
  for (let i = 0; i < todo.length; i++) {
    const j = todo[i]!;
    const key = keyOf(j.task, j.rep, j.pruner, j.mode, j.d);
    if (done.has(key)) continue; // recorded by a shared dense run
    const run = plantRun({ task: j.task, depth: DEPTH, width: WIDTH, seed: j.rep }, root);
    const base = { task: j.task, rep: j.rep, seed: j.rep, density_label: j.d, epochs: EPOCHS, rounds: ROUNDS };
    const t0 = Date.now();
    let result: SeekResult | undefined;
    let error: string | undefined;
    try {
      result = await seek(run, {
        pruner: j.d === '1' ? 'random' : j.pruner,
        density: j.d === 'planted' ? 'planted' : Number(j.d),
        multishot: j.d === '1' ? false : j.mode === 'multi',
        rounds: ROUNDS,
        scope: 'global',
        train: { ...PLANTED_DEFAULTS, training: { ...PLANTED_DEFAULTS.training, steps: `${EPOCHS}ep` } },
        seed: j.rep,
      });
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`;
    }
    const seconds = (Date.now() - t0) / 1000;
    const finished_at = new Date().toISOString();
    if (j.d === '1') {
      // The dense network: the same for every pruner and mode.
      for (const mode of MODES)
        for (const pruner of pruners) {
          const k = keyOf(j.task, j.rep, pruner, mode, '1');
          if (done.has(k)) continue;
          append({ key: k, ...base, pruner, mode, shared_dense: true, finished_at, seconds: k === key ? seconds : 0, error, result: result && { ...result, pruner, multishot: mode === 'multi', rounds: mode === 'multi' ? ROUNDS : null } });
          done.add(k);
        }
    } else {
      append({ key, ...base, pruner: j.pruner, mode: j.mode, shared_dense: false, finished_at, seconds, error, result });
      done.add(key);
      spent[j.mode].push(seconds);
    }
    const what = result
      ? `${scoreText(j.task, result.ticket)} (planted ${scoreText(j.task, result.planted)}), recall ${(100 * (result.recovery.total.recall ?? 0)).toFixed(1)}%, jaccard ${(100 * (result.recovery.total.jaccard ?? 0)).toFixed(2)}%${result.collapse.collapsed ? ', COLLAPSED' : ''}`
      : `FAILED: ${error}`;
    console.error(`[${i + 1}/${todo.length}] ${j.task} rep ${j.rep} ${j.d === '1' ? 'dense (all pruners/modes)' : `${j.pruner} ${MODE_NAME[j.mode]}`} d=${j.d}: ${what} — ${seconds.toFixed(1)} s, elapsed ${fmtTime((Date.now() - started) / 1000)}${eta(todo.slice(i + 1).filter((t) => !done.has(keyOf(t.task, t.rep, t.pruner, t.mode, t.d))))}`);
  }
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// The document

interface Cell {
  rows: SeekResult[];
  errors: number;
}

const isClass = (t: TaskName) => t === 'circle';
/** Test accuracy (circle) or test MSE (relu, helix). */
const score = (t: TaskName, s: { loss: number; accuracy?: number }) => (isClass(t) ? s.accuracy! : s.loss);
/** `a` at least as good as `b`. */
const better = (t: TaskName, a: number, b: number) => (isClass(t) ? a >= b : a <= b);
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

function fmtScore(t: TaskName, v: number[]): string {
  if (!v.length) return '—';
  const s = summarize(v);
  if (isClass(t)) return `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;
  return `${s.mean.toExponential(2)} ± ${s.std.toExponential(1)}`;
}
const pctStr = (x: number) => (Math.abs(100 * x) >= 0.1 || x === 0 ? (100 * x).toFixed(2) : (100 * x).toPrecision(2));
function fmtPct(v: (number | null)[]): string {
  const w = v.filter((x): x is number => x !== null);
  if (!w.length) return '—';
  const s = summarize(w);
  return `${pctStr(s.mean)} ± ${pctStr(s.std)}`;
}
const one = (t: TaskName, v: number) => (isClass(t) ? `${(100 * v).toFixed(2)}%` : v.toExponential(2));
const scoreName = (t: TaskName) => (isClass(t) ? 'test accuracy (%)' : 'test MSE');

async function writeDocument(wallSeconds: number | null): Promise<void> {
  const all = readRows().filter((r) => r.epochs === EPOCHS && r.rounds === ROUNDS && r.rep < reps && tasks.includes(r.task) && pruners.includes(r.pruner));
  if (!all.length) throw new Error(`no results in ${resultsFile}`);
  const cells = new Map<string, Cell>();
  const cellKey = (t: string, p: string, m: Mode, d: DensityLabel) => `${t}|${p}|${m}|${d}`;
  for (const r of all) {
    const k = cellKey(r.task, r.pruner, r.mode, r.density_label);
    const c = cells.get(k) ?? { rows: [], errors: 0 };
    if (r.result) c.rows.push(r.result);
    else c.errors++;
    cells.set(k, c);
  }
  const cell = (t: string, p: string, m: Mode, d: DensityLabel): Cell => cells.get(cellKey(t, p, m, d)) ?? { rows: [], errors: 0 };
  const presentTasks = tasks.filter((t) => all.some((r) => r.task === t));
  const expected = presentTasks.length * pruners.length * MODES.length * DENSITIES.length * reps;
  const complete = all.length >= expected && all.every((r) => !r.error);
  const computeSeconds = all.reduce((s, r) => s + r.seconds, 0);
  const times = all.map((r) => Date.parse(r.finished_at)).sort((a, b) => a - b);

  // Planted networks, per task and repetition.
  const metas = new Map<TaskName, PlantedMeta[]>();
  for (const t of presentTasks)
    metas.set(
      t,
      Array.from({ length: reps }, (_, rep) => rep)
        .filter((rep) => all.some((r) => r.task === t && r.rep === rep))
        .map((rep) => plantRun({ task: t, depth: DEPTH, width: WIDTH, seed: rep }, root).meta),
    );
  /** The trained planted ticket and the dense network, per task (one value per repetition). */
  const plantedScores = (t: TaskName) => {
    const byRep = new Map<number, number>();
    for (const r of all) if (r.task === t && r.result) byRep.set(r.rep, score(t, r.result.planted.test));
    return [...byRep.values()];
  };
  const denseScores = (t: TaskName) => cell(t, pruners[0]!, 'single', '1').rows.map((r) => score(t, r.ticket.test));

  const figDir = path.join(repo, 'docs', 'results', 'planted');
  const figs: string[] = [];
  let sections = '';
  for (const t of presentTasks) {
    const ms = metas.get(t)!;
    const pd = ms.map((m) => m.density);
    const pScores = plantedScores(t);
    const header = ['mode', 'pruner', 'density', 'kept (%)', `${scoreName(t)} mean ± std`, 'recall (%)', 'precision (%)', 'Jaccard (%)', 'collapse', 'n'];
    const body: (string | number)[][] = [];
    for (const m of MODES)
      for (const p of pruners)
        for (const d of DENSITIES) {
          const c = cell(t, p, m, d);
          const n = c.rows.length;
          const status = n + c.errors < reps ? ` (of ${reps}: incomplete)` : c.errors ? ` (+${c.errors} failed)` : '';
          body.push([
            MODE_NAME[m],
            p,
            d === 'planted' ? 'planted' : d,
            n ? pctStr(mean(c.rows.map((r) => r.density))) : '—',
            fmtScore(t, c.rows.map((r) => score(t, r.ticket.test))),
            fmtPct(c.rows.map((r) => r.recovery.total.recall)),
            fmtPct(c.rows.map((r) => r.recovery.total.precision)),
            fmtPct(c.rows.map((r) => r.recovery.total.jaccard)),
            n ? `${c.rows.filter((r) => r.collapse.collapsed).length}/${n}` : '—',
            `${n}${status}`,
          ]);
        }
    const m0 = ms[0]!;
    sections += `### ${t}

Planted density ${pd.length ? `${pctStr(mean(pd))}% (${Math.min(...ms.map((m) => m.planted_edges))}–${Math.max(...ms.map((m) => m.planted_edges))} of ${m0.total_weights} weights over the ${ms.length} repetitions)` : '—'};
per layer (repetition 0): ${Object.entries(m0.layer_densities).map(([n, v]) => `${n} ${pctStr(v)}%`).join(', ')}.
Target network (the planted ticket's function, untrained) test ${isClass(t) ? 'accuracy' : 'MSE'}: ${fmtScore(t, ms.map((m) => score(t, m.target_test)))}.
**Planted ticket trained like the others** (${EPOCHS} epochs from its planted weights): ${fmtScore(t, pScores)}.
Dense network (density 1) trained: ${fmtScore(t, denseScores(t))}.
${isClass(t) ? 'Score: test accuracy in %, higher is better.' : 'Score: test MSE, lower is better (the label noise alone gives 1e-4).'}

${markdownTable(header, body, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'])}
`;

    // Figures: one file per task × metric, single-shot and multishot side by side.
    const pm = mean(pd);
    const metrics: { id: string; title: string; long: string; y: (r: SeekResult) => number | null; chance?: (d: number) => number; log?: boolean; symlog?: boolean; planted?: boolean }[] = [
      { id: 'score', title: isClass(t) ? 'Test accuracy (%)' : 'Test MSE', long: isClass(t) ? 'test accuracy' : 'test MSE', y: (r) => (isClass(t) ? 100 : 1) * score(t, r.ticket.test), log: !isClass(t), planted: true },
      { id: 'recall', title: 'Recall (%)', long: 'recall of the planted weights', y: (r) => (r.recovery.total.recall === null ? null : 100 * r.recovery.total.recall), chance: (d) => 100 * d, symlog: true },
      { id: 'precision', title: 'Precision (%)', long: 'precision (kept weights that are planted)', y: (r) => (r.recovery.total.precision === null ? null : 100 * r.recovery.total.precision), chance: () => 100 * pm, symlog: true },
      { id: 'jaccard', title: 'Jaccard index (%)', long: 'Jaccard index of the mask with the planted mask', y: (r) => (r.recovery.total.jaccard === null ? null : 100 * r.recovery.total.jaccard), chance: (d) => (100 * d * pm) / (d + pm - d * pm), symlog: true },
    ];
    for (const metric of metrics) {
      const panels = MODES.map((m) => {
        const rows: Record<string, unknown>[] = [];
        const xs: number[] = [];
        for (const p of pruners)
          for (const d of DENSITIES) {
            const c = cell(t, p, m, d);
            const ys = c.rows.map(metric.y).filter((v): v is number => v !== null && Number.isFinite(v) && (!metric.log || v > 0));
            if (!ys.length) continue;
            const x = 100 * mean(c.rows.map((r) => r.density));
            xs.push(x);
            rows.push({ percent: x, value: mean(ys), series: p });
          }
        if (!rows.length) return null;
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        if (metric.planted && pScores.length) {
          for (const x of [lo, hi]) rows.push({ percent: x, value: (isClass(t) ? 100 : 1) * mean(pScores), series: 'planted ticket, trained' });
          for (const x of [lo, hi]) rows.push({ percent: x, value: (isClass(t) ? 100 : 1) * mean(ms.map((mm) => score(t, mm.target_test))), series: 'target network' });
        }
        if (metric.chance) for (const x of [...new Set(xs)].sort((a, b) => a - b)) rows.push({ percent: x, value: metric.chance(x / 100), series: 'chance (random mask)' });
        const spec = lineChart({ rows, x: 'percent', y: 'value', color: 'series', colorTitle: 'pruner', title: `${MODE_NAME[m]}`, xLog: true, xTitle: 'Percent of weights remaining', yTitle: metric.title }) as unknown as Record<string, unknown>;
        delete spec.$schema;
        const enc = spec.encoding as Record<string, Record<string, unknown>>;
        enc.x!.scale = { type: 'log', reverse: true, domain: [lo, hi], nice: false, padding: 12 };
        enc.x!.axis = { format: '.2~r', grid: true };
        if (metric.log) enc.y!.scale = { type: 'log' };
        if (metric.symlog) enc.y!.scale = metric.id === 'recall' ? { type: 'symlog', domain: [0, 100] } : { type: 'symlog' };
        enc.color!.legend = { ...(enc.color!.legend as Record<string, unknown>), labelLimit: 300 };
        return spec;
      }).filter((s): s is Record<string, unknown> => s !== null);
      if (!panels.length) continue;
      const spec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: `${t}: ${metric.long} vs density (mean of ${reps} repetition${reps > 1 ? 's' : ''})`,
        hconcat: panels,
        resolve: { scale: { y: 'shared', color: 'shared' } },
      } as unknown as TopLevelSpec;
      const file = `${t}-${metric.id}`;
      await writePlot(path.join(figDir, file), spec);
      figs.push(file);
    }
    sections += `\n![${t} score](planted/${t}-score.png)\n\n![${t} recall](planted/${t}-recall.png)\n\n`;
  }

  // ---- Against the paper
  // Scores are put on one scale for all tasks: the fraction of the achievable improvement (FAI) from a trivial
  // predictor (the training mean for regression, the majority training class for circle) to the target network, i.e.
  // the planted ticket's own function (1 = as good as the planted ticket can be, 0 = no better than trivial).
  const FAI_MIN = 0.95;
  const trivial = new Map<TaskName, number>();
  for (const t of presentTasks) {
    const vals = metas.get(t)!.map((m) => {
      const task = makeTask(t, m.task_seed);
      if (task.kind === 'classification') {
        const counts = new Array<number>(task.outDim).fill(0);
        for (const y of task.train.y) counts[y]!++;
        const major = counts.indexOf(Math.max(...counts));
        let hit = 0;
        for (const y of task.test.y) if (y === major) hit++;
        return hit / task.test.n;
      }
      const d = task.outDim;
      const mu = new Array<number>(d).fill(0);
      task.train.y.forEach((v, i) => (mu[i % d]! += v / task.train.n));
      let se = 0;
      task.test.y.forEach((v, i) => (se += (v - mu[i % d]!) ** 2));
      return se / task.test.y.length;
    });
    trivial.set(t, mean(vals));
  }
  const targetScore = (t: TaskName) => mean(metas.get(t)!.map((m) => score(t, m.target_test)));
  const fai = (t: TaskName, v: number) => {
    const b = trivial.get(t)!;
    return (isClass(t) ? v - b : b - v) / Math.abs(targetScore(t) - b);
  };
  /** A ticket "works" at planted-ticket quality (FAI ≥ FAI_MIN) or as well as the dense network trained the same way. */
  const threshold = (t: TaskName) => Math.min(FAI_MIN, fai(t, mean(denseScores(t))) - 0.01);
  const works = (t: TaskName, v: number) => fai(t, v) >= threshold(t);
  const withFai = (t: TaskName, v: number) => (Number.isFinite(v) ? `${one(t, v)} (${fai(t, v).toFixed(3)})` : '—');
  const findings: string[][] = [];
  const agreeText = (b: boolean | null) => (b === null ? 'not run' : b ? '**agrees**' : '**disagrees**');
  const cellScore = (t: TaskName, p: string, m: Mode, d: DensityLabel) => mean(cell(t, p, m, d).rows.map((r) => score(t, r.ticket.test)));
  const refs: (string | number)[][] = presentTasks.map((t) => [
    t,
    one(t, trivial.get(t)!),
    one(t, targetScore(t)),
    withFai(t, mean(plantedScores(t))),
    withFai(t, mean(denseScores(t))),
  ]);
  for (const t of presentTasks) {
    const weakAt = (p: PrunerName) => (['0.1', '0.5'] as const).find((d) => works(t, cellScore(t, p, 'single', d)));
    const found = pruners.filter((p) => weakAt(p) !== undefined);
    const fixed = pruners.filter((p) => (['0.1', '0.5'] as const).some((d) => fai(t, cellScore(t, p, 'single', d)) >= FAI_MIN));
    const strictOk = (v: number) => (isClass(t) ? v >= targetScore(t) - 0.02 : v <= 2 * targetScore(t));
    const strict = pruners.filter((p) => (['0.1', '0.5'] as const).some((d) => strictOk(cellScore(t, p, 'single', d))));
    const expectWeak = t !== 'helix';
    const numbers = pruners.map((p) => `${p} ${withFai(t, cellScore(t, p, 'single', '0.5'))} / ${withFai(t, cellScore(t, p, 'single', '0.1'))}`).join('; ');
    findings.push([
      `${t}: ${expectWeak ? 'all methods (random too) find weak tickets at moderate density' : 'no method finds a weak ticket'}`,
      `single-shot at 0.5 / 0.1 (FAI): ${numbers}. Dense ${withFai(t, mean(denseScores(t)))}. Weak tickets (FAI ≥ ${threshold(t).toFixed(3)}): ${found.length}/${pruners.length}${found.length ? ` (${found.map((p) => `${p} down to ${weakAt(p)}`).join(', ')})` : ''}. ` +
        `Sensitivity: fixed FAI ≥ ${FAI_MIN} at 0.5 or 0.1: ${fixed.length}/${pruners.length}; strict (within 2 pp / 2× MSE of the target network) at 0.5 or 0.1: ${strict.length}/${pruners.length}, dense ${strictOk(mean(denseScores(t))) ? 'passes' : 'fails'} it`,
      `${agreeText(expectWeak ? found.length === pruners.length : found.length === 0)} (${agreeText(expectWeak ? fixed.length === pruners.length : fixed.length === 0).replace(/\*/g, '')} by a fixed FAI ≥ ${FAI_MIN}; ${agreeText(expectWeak ? strict.length === pruners.length : strict.length === 0).replace(/\*/g, '')} by the strict test)`,
    ]);
  }
  {
    const parts: string[] = [];
    let allCollapse = true;
    for (const t of presentTasks)
      for (const p of pruners) {
        const c = cell(t, p, 'single', 'planted').rows;
        const k = c.filter((r) => r.collapse.collapsed).length;
        if (c.length && k / c.length < 0.5) allCollapse = false;
        parts.push(`${t}/${p} ${k}/${c.length}`);
      }
    const at001: string[] = [];
    for (const t of presentTasks) {
      const c = pruners.flatMap((p) => cell(t, p, 'single', '0.01').rows);
      at001.push(`${t} ${c.filter((r) => r.collapse.collapsed).length}/${c.length}`);
    }
    const failed = presentTasks.flatMap((t) => pruners.map((p) => ({ t, p, f: fai(t, cellScore(t, p, 'single', 'planted')), ok: works(t, cellScore(t, p, 'single', 'planted')) }))).filter((x) => Number.isFinite(x.f));
    findings.push([
      'single-shot at the planted density (and ≤ 0.01): every method fails, by layer collapse',
      `collapsed repetitions at the planted density: ${parts.join(', ')}; at 0.01, all pruners: ${at001.join(', ')}. FAI at the planted density: ${failed.map((x) => `${x.t}/${x.p} ${x.f.toFixed(2)}`).join(', ')}`,
      `${allCollapse ? '**agrees**' : failed.every((x) => !x.ok) ? '**partly**: all fail, not all by collapse' : '**disagrees**'} (no ticket works: ${failed.every((x) => !x.ok) ? 'yes' : 'no'}; collapse in ≥ half the repetitions for every task × pruner: ${allCollapse ? 'yes' : 'no'})`,
    ]);
  }
  {
    const trio = (['magnitude', 'snip', 'synflow'] as const).filter((p) => pruners.includes(p));
    // The sparsest tested density at which the ticket works (index into DENSITIES; -1 if none).
    const sparsest = (t: TaskName, p: string, m: Mode) => {
      let k = -1;
      DENSITIES.forEach((d, i) => {
        if (works(t, cellScore(t, p, m, d))) k = i;
      });
      return k;
    };
    const name = (k: number) => (k < 0 ? 'none' : DENSITIES[k]!);
    let ok = trio.length > 0;
    const parts = trio.map((p) => {
      const per = presentTasks.map((t) => {
        const s1 = sparsest(t, p, 'single');
        const s2 = sparsest(t, p, 'multi');
        return { t, s1, s2 };
      });
      if (!(per.every((x) => x.s2 >= x.s1) && per.some((x) => x.s2 > x.s1))) ok = false;
      return `${p}: ${per.map((x) => `${x.t} ${name(x.s1)} → ${name(x.s2)}`).join(', ')}`;
    });
    findings.push([
      'multishot magnitude / SNIP / SynFlow reach much sparser tickets than single-shot',
      `sparsest density at which the ticket works, single-shot → multishot: ${parts.join('; ')}`,
      trio.length ? `${agreeText(ok)} (multishot never less sparse, and sparser on some task, for each of the three)` : 'not run',
    ]);
  }
  for (const t of presentTasks) {
    const ranks = (d: DensityLabel) =>
      pruners
        .map((p) => ({ p, v: cellScore(t, p, 'multi', d) }))
        .filter((x) => Number.isFinite(x.v))
        .sort((a, b) => (isClass(t) ? b.v - a.v : a.v - b.v));
    const rp = ranks('planted');
    const r01 = ranks('0.01');
    const synBest = rp[0]?.p === 'synflow';
    const syn = cellScore(t, 'synflow', 'multi', 'planted');
    const recovers = works(t, syn);
    const synMultiCollapse = cell(t, 'synflow', 'multi', 'planted').rows;
    findings.push([
      `${t}: multishot SynFlow is best at the sparsest densities${t === 'circle' ? ', and recovers a ticket at the planted density' : ''}`,
      `multishot at the planted density (FAI): ${rp.map((x) => `${x.p} ${withFai(t, x.v)}`).join(', ')}; at 0.01: ${r01.map((x) => `${x.p} ${withFai(t, x.v)}`).join(', ')}. SynFlow multishot collapsed ${synMultiCollapse.filter((r) => r.collapse.collapsed).length}/${synMultiCollapse.length} at the planted density`,
      pruners.includes('synflow') ? `${agreeText(t === 'circle' ? synBest && recovers : synBest)}${t === 'circle' ? ` (best: ${synBest ? 'yes' : 'no'}; works at the planted density: ${recovers ? 'yes' : 'no'})` : ''}` : 'not run',
    ]);
  }

  // ---- Recovery summary: best recall / Jaccard per task at the planted density and at 0.01
  const recRows: (string | number)[][] = [];
  for (const t of presentTasks)
    for (const m of MODES)
      for (const d of ['0.1', '0.01', 'planted'] as const) {
        const best = (f: (r: SeekResult) => number | null) =>
          pruners
            .map((p) => ({ p, v: mean(cell(t, p, m, d).rows.map(f).filter((x): x is number => x !== null)) }))
            .filter((x) => Number.isFinite(x.v))
            .sort((a, b) => b.v - a.v)[0];
        const br = best((r) => r.recovery.total.recall);
        const bj = best((r) => r.recovery.total.jaccard);
        const bp = best((r) => r.recovery.total.precision);
        const dens = mean(pruners.flatMap((p) => cell(t, p, m, d).rows.map((r) => r.density)));
        if (!br) continue;
        recRows.push([t, MODE_NAME[m], d, pctStr(dens), `${pctStr(br.v)} (${br.p})`, pctStr(dens), `${pctStr(bp!.v)} (${bp!.p})`, pctStr(mean(metas.get(t)!.map((x) => x.density))), `${pctStr(bj!.v)} (${bj!.p})`]);
      }

  // Per-layer recall of the best multishot pruner at the planted density (where is the ticket lost?).
  const layerRows: (string | number)[][] = [];
  for (const d of ['0.1', 'planted'] as const)
  for (const t of presentTasks)
    for (const p of pruners) {
      const c = cell(t, p, 'multi', d).rows;
      const cs = cell(t, p, 'single', d).rows;
      if (!c.length && !cs.length) continue;
      const names = Object.keys((c[0] ?? cs[0])!.recovery.layers);
      const lr = (rows: SeekResult[], n: string) => {
        const v = rows.map((r) => r.recovery.layers[n]!.recall).filter((x): x is number => x !== null);
        return v.length ? pctStr(mean(v)) : '—';
      };
      layerRows.push([d, t, p, ...names.map((n) => `${lr(cs, n)} / ${lr(c, n)}`)]);
    }

  // ---- Reading of the recovery numbers (computed; the prose only frames them)
  const magRows: (string | number)[][] = [];
  for (const t of presentTasks) {
    const m0 = metas.get(t)![0]!;
    const run = plantRun({ task: t, depth: DEPTH, width: WIDTH, seed: m0.seed }, root);
    const cellsOut: string[] = [];
    for (const [n, mask] of run.mask) {
      const w = run.params.get(n)!;
      let a = 0, na = 0, b = 0, nb = 0;
      for (let i = 0; i < mask.length; i++)
        if (mask[i]) (a += Math.abs(w[i]!)), na++;
        else (b += Math.abs(w[i]!)), nb++;
      cellsOut.push(na ? `${na}: ${(a / na).toFixed(3)} vs ${(b / nb).toFixed(3)}` : '—');
    }
    magRows.push([t, ...cellsOut]);
  }
  const layerNames = presentTasks.length ? [...plantRun({ task: presentTasks[0]!, depth: DEPTH, width: WIDTH, seed: metas.get(presentTasks[0]!)![0]!.seed }, root).mask.keys()] : [];
  const notes: string[] = [];
  for (const t of presentTasks) {
    const pd = mean(metas.get(t)!.map((m) => m.density));
    const stat = (p: string, m: Mode, d: DensityLabel) => {
      const rows = cell(t, p, m, d).rows;
      return { p, m, d, rec: mean(rows.map((r) => r.recovery.total.recall ?? 0)), jac: mean(rows.map((r) => r.recovery.total.jaccard ?? 0)), prec: mean(rows.map((r) => r.recovery.total.precision ?? 0)), dens: mean(rows.map((r) => r.density)), sc: mean(rows.map((r) => score(t, r.ticket.test))) };
    };
    const all01 = pruners.flatMap((p) => MODES.map((m) => stat(p, m, '0.01'))).filter((x) => Number.isFinite(x.rec)).sort((a, b) => b.rec - a.rec);
    const allP = pruners.flatMap((p) => MODES.map((m) => stat(p, m, 'planted'))).filter((x) => Number.isFinite(x.jac)).sort((a, b) => b.jac - a.jac);
    const below = pruners.flatMap((p) => MODES.map((m) => stat(p, m, '0.5'))).filter((x) => Number.isFinite(x.rec) && x.rec < 0.8 * x.dens);
    const workingP = allP.filter((x) => works(t, x.sc));
    const b01 = all01[0];
    const bP = allP[0];
    if (!b01 || !bP) continue;
    notes.push(
      `- **${t}** (planted density ${pctStr(pd)}%). At density 0.01 the best mask (${b01.p}, ${MODE_NAME[b01.m]}) keeps ${pctStr(b01.rec)}% of the planted weights, ${(b01.rec / b01.dens).toFixed(1)}× chance, yet its precision is only ${pctStr(b01.prec)}%. ` +
        `At the planted density the best Jaccard index is ${pctStr(bP.jac)}% (${bP.p}, ${MODE_NAME[bP.m]}; chance ≈ ${pctStr(pd / (2 - pd))}%). ` +
        (workingP.length
          ? `Tickets that *work* at the planted density (${workingP.map((x) => `${x.p} ${MODE_NAME[x.m]}: FAI ${fai(t, x.sc).toFixed(2)}, recall ${pctStr(x.rec)}%`).join('; ')}) are therefore other sparse networks, not the planted one. `
          : 'No mask works at the planted density. ') +
        (below.length ? `Below-chance recall at density 0.5: ${below.map((x) => `${x.p} ${MODE_NAME[x.m]} ${pctStr(x.rec)}%`).join(', ')} (chance 50%).` : ''),
    );
  }
  // Numbers quoted in the reading below.
  const recOf = (t: string, p: string, m: Mode, d: DensityLabel, layer?: string) => {
    const v = cell(t, p, m, d).rows.map((r) => (layer ? r.recovery.layers[layer]?.recall : r.recovery.total.recall)).filter((x): x is number => x !== null && x !== undefined);
    return v.length ? mean(v) : NaN;
  };
  const enrich = presentTasks
    .map((t) => {
      const best = Math.max(...pruners.flatMap((p) => MODES.map((m) => recOf(t, p, m, '0.01'))).filter(Number.isFinite));
      return `${(best / 0.01).toFixed(0)}×`;
    })
    .join(' / ');
  let maxPrec = 0;
  for (const t of presentTasks)
    for (const p of pruners)
      for (const m of MODES)
        for (const d of ['0.5', '0.1', '0.01', 'planted'] as const) {
          const v = cell(t, p, m, d).rows.map((r) => r.recovery.total.precision).filter((x): x is number => x !== null);
          if (v.length) maxPrec = Math.max(maxPrec, mean(v));
        }
  const maxMid = { fc2: 0, fc3: 0 };
  for (const t of presentTasks)
    for (const p of pruners)
      for (const m of MODES) {
        const a2 = recOf(t, p, m, 'planted', 'fc2.weight');
        const a3 = recOf(t, p, m, 'planted', 'fc3.weight');
        if (Number.isFinite(a2)) maxMid.fc2 = Math.max(maxMid.fc2, a2);
        if (Number.isFinite(a3)) maxMid.fc3 = Math.max(maxMid.fc3, a3);
      }
  const fc4Mag = presentTasks
    .filter((t) => t !== 'relu')
    .map((t) => `${pctStr(recOf(t, 'magnitude', 'single', '0.1', 'fc4.weight'))}% (${t})`)
    .join(' and ');
  const multiGain = presentTasks.includes('circle')
    ? `${pruners
        .map((p) => ({ p, a: recOf('circle', p, 'single', '0.1'), b: recOf('circle', p, 'multi', '0.1') }))
        .sort((x, y) => y.b - y.a - (x.b - x.a))
        .map((x) => `${x.p} ${pctStr(x.a)}% → ${pctStr(x.b)}%`)
        .join(', ')} (circle, density 0.1, single-shot → multishot)`
    : 'the pruners shown in the recovery table';
  const recoveryText = `${notes.join('\n')}

Planted weights against the rest, repetition 0 — planted edges per layer: mean |w| of the planted vs the other weights:

${markdownTable(['task', ...layerNames], magRows)}
Reading. Performance and recovery come apart.
(a) Masks are enriched in planted weights at sparse densities — at 0.01 the best mask keeps ${enrich} the chance share of the
planted weights (${presentTasks.join(' / ')}) — yet precision never exceeds ${pctStr(maxPrec)}% below density 1: at least ${pctStr(1 - maxPrec)}% of the
weights any pruner keeps are not planted.
(b) At the planted density no pruner keeps the planted ticket's narrow middle layers (largest mean recall over all
tasks, pruners and modes: fc2 ${pctStr(maxMid.fc2)}%, fc3 ${pctStr(maxMid.fc3)}%), so no method recovers the planted ticket; the tickets that do
work at that density (listed above) are different sparse networks of the same size.
(c) On circle and helix the planted output-layer weights are several times smaller than the random ones (the table
above; they carry the output scale, see "Against the paper"), and scores built on |θ| rank them last: at density 0.1
single-shot magnitude keeps ${fc4Mag} of the planted output weights (chance 10%), which is where its below-chance
recall at 0.5 comes from; SynFlow, which multiplies |θ| along paths, behaves alike. Their high input-layer recall
(planted input weights are larger than the rest) does not make up for it.
(d) Multishot training moves recall as follows, largest gain first: ${multiGain}. Training pulls some planted weights
up, for SynFlow most, but not enough to single out the planted edges.
relu has only ${metas.get('relu')?.[0]?.planted_edges ?? '—'} planted weights (a single path), so its recall moves in steps of 25 points per repetition.
These are observations on ${reps} repetition${reps > 1 ? 's' : ''} of one planting procedure; with the output scale undone (an output
layer rescaled to compute the target exactly) magnitude-based recall would likely look different — not tested here.
`;

  const info = spawnSync(process.execPath, [bin, '--json', 'info'], { encoding: 'utf8' });
  let machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}`;
  try {
    const j = JSON.parse(info.stdout.trim()) as { cpu: string; gemm: string; blas_config: string };
    machine = `${j.cpu}, GEMM ${j.gemm} (${j.blas_config})`;
  } catch {
    /* keep the os.cpus() model */
  }
  const args = [
    ...(quick ? ['--quick'] : []),
    ...(opts.tasks !== TASK_NAMES.join(',') ? ['--tasks', opts.tasks] : []),
    ...(opts.pruners !== PRUNER_NAMES.join(',') ? ['--pruners', opts.pruners] : []),
    ...(!quick && reps !== 5 ? ['--reps', String(reps)] : []),
    ...(opts.root ? ['--root', opts.root] : []),
  ];
  const cmd = `npm run repro:planted${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const quickBanner = quick
    ? `> **⚠ QUICK SMOKE-TEST RUN — NOT A REPRODUCTION.** 1 repetition, ${EPOCHS} training epochs instead of 10, ${ROUNDS} multishot
> rounds instead of 10. The numbers below only show that the pipeline runs end to end; do not read findings into them.

`
    : '';
  const incompleteBanner = complete
    ? ''
    : `> **Incomplete:** ${all.filter((r) => !r.error).length} of ${expected} configurations recorded${all.some((r) => r.error) ? ` (${all.filter((r) => r.error).length} failed)` : ''}; cells with
> fewer than ${reps} repetitions say so in the n column.

`;
  const doc = `# Plant 'n' Seek: can pruning at initialization find a planted ticket? (Fischer & Burkholz, ICLR 2022)

${quickBanner}${incompleteBanner}Reproduced with \`${cmd}\` (results: \`${path.relative(repo, resultsFile).startsWith('..') ? resultsFile : path.relative(repo, resultsFile)}\`, one JSON line per
configuration; rerunning resumes and \`-- --report-only\` rebuilds this page). The script calls the library's
\`plantRun\` and \`seek\` (src/studies/planted) in one process; \`ticketlab plant\` / \`ticketlab seek\` run the same code
one configuration at a time.

## Setup

- Tasks: ${presentTasks.join(', ')} (10,000 samples, 90/10 split). Networks: depth ${DEPTH} (4 weight matrices), width ${WIDTH}, ReLU.
- Planting as in the paper (papers.md §3). **Each repetition re-plants** (as the paper re-draws): repetition r uses seed r
  for the mother network, the task data and hence the planted ticket, and seed r for the batch order, the pruning batch
  (${256} samples, SNIP / GraSP) and the random pruner. The planted density therefore varies a little between repetitions.
- Pruners: ${pruners.join(', ')}, global scope. Single-shot: one pruning step at initialization (SynFlow: 100 rounds,
  exponential schedule). Multishot: ${ROUNDS} rounds of 5 epochs of training (Adam 1e-3, batch 32), pruning to ρ^(r/${ROUNDS}), resetting
  the weights and the optimizer. Random scores are drawn once per seed and layer, so random multishot keeps the
  same mask as random single-shot (the rows are identical, by construction).
- Densities: 1, 0.5, 0.1, 0.01 and the planted density. Density 1 prunes nothing whatever the pruner or mode, so it is
  trained once per task and repetition and listed under every pruner × mode.
- Tickets (the found one and the planted one, from the same planted weights) are trained for ${EPOCHS} epochs, Adam 1e-3, batch 32,
  MSE (relu, helix) or cross-entropy (circle), and scored on the test split.
- Repetitions: ${reps} (the paper: 25 single-shot, 10 multishot). Values are mean ± sample std over repetitions.
- Recall = planted weights kept / planted weights; precision = kept weights that are planted / kept weights;
  Jaccard = |kept ∩ planted| / |kept ∪ planted|. Collapse: no path of kept weights from input to output
  (exact path analysis); "k/n" counts repetitions.

## Runtime

${wallSeconds === null ? '' : `Wall time of the last run (not \`--report-only\`): ${fmtTime(wallSeconds)}. `}Compute time summed over all ${all.length} recorded configurations:
${fmtTime(computeSeconds)}${times.length > 1 ? `; first to last result ${fmtTime((times[times.length - 1]! - times[0]!) / 1000)} (${new Date(times[0]!).toISOString()} – ${new Date(times[times.length - 1]!).toISOString()})` : ''}.
One node process, sharing a ${os.cpus().length}-core machine (${machine}) with an unrelated long LeNet run.

## Results

${sections}
All figures (single-shot left, multishot right, log x axis, dense on the left): ${figs.map((f) => `[${f}](planted/${f}.png)`).join(', ')} (each also as .svg).

## Against the paper

Criteria. Scores are compared on one scale, the **fraction of the achievable improvement (FAI)** from a trivial
predictor (training mean for relu / helix, majority class for circle) to the target network — the planted ticket's
own function, which the planted weights compute up to the output scale: FAI = (trivial − MSE) / (trivial − target MSE),
or (accuracy − trivial) / (target − trivial); 1 is planted-ticket quality, 0 is no better than trivial. A ticket
**works** (a *weak ticket* when it is not the planted one) when its mean FAI reaches ${FAI_MIN}, or comes within 0.01 of the
dense network trained with the same budget, whichever is lower (a pruned network cannot be asked to beat the dense one
given the same ${EPOCHS} epochs). "Moderate density" = 0.5 or 0.1, single-shot. A method "fails by collapse" at a density
when at least half its repetitions collapse. *Honesty note:* the first draft used a fixed FAI ≥ ${FAI_MIN}; after two of
the five repetitions showed that the dense network itself only reaches FAI ≈ 0.956 on circle (so 0.95 sits inside the
noise of dense-level performance there), the dense-relative alternative was added. Both the fixed threshold and a
strict test (within 2 pp accuracy / 2× MSE of the target network) are reported as sensitivity checks in the first three
rows. Reference points per task (mean over repetitions):

${markdownTable(['task', 'trivial predictor', 'target network', 'planted ticket trained (FAI)', 'dense trained (FAI)'], refs)}
The planted ticket *trained* from its planted weights is much worse than its own function on circle and helix: the
planted output neurons compute scale ⊙ target(x) with tiny scales (products of the per-layer matching constants, e.g.
1e-7…1e-5), and ${EPOCHS} epochs of Adam do not undo that. The FAI reference is therefore the target network, not the trained
planted ticket.

${markdownTable(['paper finding', 'our numbers', 'verdict'], findings)}

## Recovering the planted ticket (not measured in the paper)

Best pruner per cell (mean over repetitions). A random mask keeps each weight with probability equal to the density,
so its expected recall equals the density and its expected precision the planted density; those are the chance
columns.

${markdownTable(['task', 'mode', 'density', 'kept (%)', 'best recall (%)', 'chance recall (%)', 'best precision (%)', 'chance precision (%)', 'best Jaccard (%)'], recRows)}

Per-layer recall at density 0.1 and at the planted density, single-shot / multishot (%); the planted ticket's\nper-layer densities are listed under each task above:

${markdownTable(['density', 'task', 'pruner', ...(layerRows.length ? Object.keys(cell(presentTasks[0]!, pruners[0]!, 'single', 'planted').rows[0]?.recovery.layers ?? cell(presentTasks[0]!, pruners[0]!, 'multi', 'planted').rows[0]?.recovery.layers ?? {}) : [])], layerRows)}

![circle recovery](planted/${presentTasks.includes('circle') ? 'circle' : presentTasks[0]}-jaccard.png)

${recoveryText}
`;
  writeFileAtomic(path.join(repo, 'docs', 'results', 'planted.md'), doc);
  console.error(`wrote ${path.join(repo, 'docs', 'results', 'planted.md')} and ${figs.length} figures in ${figDir}`);
}

async function main(): Promise<void> {
  const runFile = path.join(root, 'last-run.json');
  let wall: number | null = null;
  if (!opts.reportOnly) {
    const started = new Date().toISOString();
    wall = await runAll();
    writeFileAtomic(runFile, `${JSON.stringify({ started, finished: new Date().toISOString(), wall_seconds: wall }, null, 2)}\n`);
  } else if (fs.existsSync(runFile)) {
    wall = (JSON.parse(fs.readFileSync(runFile, 'utf8')) as { wall_seconds: number }).wall_seconds;
  }
  await writeDocument(wall);
}

main().catch((e: Error) => {
  console.error(`repro:planted: ${e.stack ?? e.message}`);
  process.exit(1);
});
