// The values of docs/results/grokking.md (scripts/templates/grokking.md holds the prose), computed from the committed
// data file alone, and its figures: test accuracy and weight norm against epochs (log axis) for the first seed.
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { formatDuration, sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { lineChart } from '../../report/ticket-plots.js';
import { gridConfigs, PAPER_P, runName } from './grid.js';
import { gridOfStudy, type GrokData, type RunLine } from './study-data.js';
import { median } from '../../stats/median.js';

/** Figures go to `<out>/grokking/`, beside the data file. */
export const FIGURE_DIR = 'grokking';
const DENSE_CAP = 40_000;
const TICKET_SPEEDUP = 5;

const epochText = (t: number | null) => (t === null ? 'never' : t.toLocaleString('en-US'));

/** The grid's models, each with the names of its runs in the grid's order. */
function models(d: GrokData): [string, string[]][] {
  const g = gridOfStudy(d.study);
  const out = new Map<string, string[]>();
  for (const c of gridConfigs(g)) {
    const names = out.get(c.model) ?? [];
    const name = runName(g, c);
    if (!names.includes(name)) names.push(name);
    out.set(c.model, names);
  }
  return [...out];
}

function runsOf(d: GrokData, model: string, run: string): RunLine[] {
  return d.runs.filter((r) => r.model === model && r.run === run).sort((a, b) => a.seed - b.seed);
}

function banner(d: GrokData): string {
  const s = d.study;
  const parts: string[] = [];
  if (s.p !== PAPER_P || s.train_fraction !== 0.4 || s.lr !== 1e-3)
    parts.push(
      `> **⚠ SMOKE-TEST RUN — NOT A REPRODUCTION.** p = ${s.p}, training fraction ${s.train_fraction}, lr ${s.lr} ` +
        `instead of the paper's\n> p = ${PAPER_P}, 0.4, 1e-3; do not read findings into these numbers.`,
    );
  const expected = gridConfigs(gridOfStudy(s));
  if (d.runs.length < expected.length)
    parts.push(
      `> **Incomplete:** ${d.runs.length} of ${expected.length} runs are recorded; rows without a run say why ` +
        'where the data tells\n> (a base that never generalized has no ticket).',
    );
  return parts.map((p) => `${p}\n\n`).join('');
}

/** Why a configuration has no run: its base never generalized, or it has not run yet. */
function missingReason(d: GrokData, model: string, control: string, seed: number): string {
  const at = /^checkpoint_(\d+)/.exec(control);
  if (at && Number(at[1]) >= d.study.epochs) return `runs are shorter than epoch ${at[1]}`;
  const base = runsOf(d, model, 'dense').find((r) => r.seed === seed);
  if (!control.startsWith('dense') && !control.startsWith('checkpoint') && base && base.t_gen === null)
    return 'no ticket: the base never generalized';
  return 'not run yet';
}

function runsTable(d: GrokData): string {
  const rows: (string | number)[][] = [];
  for (const [model, controls] of models(d))
    for (const control of controls)
      for (let seed = 0; seed < d.study.seeds; seed++) {
        const r = runsOf(d, model, control).find((x) => x.seed === seed);
        if (!r) {
          rows.push([model, control, seed, '—', '—', '—', '—', '—', missingReason(d, model, control, seed)]);
          continue;
        }
        const delay = r.t_mem !== null && r.t_gen !== null ? (r.t_gen - r.t_mem).toLocaleString('en-US') : '—';
        const ratio = r.t_mem && r.t_gen !== null ? (r.t_gen / r.t_mem).toFixed(1) : '—';
        rows.push([
          model,
          control,
          seed,
          (r.density * 100).toFixed(1),
          epochText(r.t_mem),
          epochText(r.t_gen),
          delay,
          ratio,
          `${(r.final_test_accuracy * 100).toFixed(1)}% after ${r.epochs.toLocaleString('en-US')}`,
        ]);
      }
  const header = [
    'model',
    'run',
    'seed',
    'density (%)',
    't_mem',
    't_gen',
    't_gen − t_mem',
    't_gen / t_mem',
    'test acc',
  ];
  return markdownTable(header, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']);
}

/** Per run kind: how many seeds generalized, median t_gen, and t_gen over the same seed's dense base. */
function summaryTable(d: GrokData): string {
  const rows: (string | number)[][] = [];
  for (const [model, controls] of models(d)) {
    const base = runsOf(d, model, 'dense');
    for (const control of controls) {
      const runs = runsOf(d, model, control);
      const gen = runs.filter((r) => r.t_gen !== null);
      const rel = gen
        .map((r) => ({ r, b: base.find((x) => x.seed === r.seed) }))
        .filter(({ b }) => b && b.t_gen !== null)
        .map(({ r, b }) => r.t_gen! / b!.t_gen!);
      rows.push([
        model,
        control,
        `${gen.length} of ${runs.length}`,
        gen.length ? Math.round(median(gen.map((r) => r.t_gen!))).toLocaleString('en-US') : '—',
        rel.length && control !== 'dense' ? median(rel).toFixed(2) : '—',
      ]);
    }
  }
  return markdownTable(['model', 'run', 'generalized', 'median t_gen', 'median t_gen ÷ base t_gen'], rows, [
    'left',
    'left',
    'right',
    'right',
    'right',
  ]);
}

function findingsTable(d: GrokData): string {
  const mlp = `grok_mlp_${d.study.p}`;
  const base = runsOf(d, mlp, 'dense');
  const ticket = runsOf(d, mlp, 'ticket');
  const yes = (ok: boolean, n: number) => (n === 0 ? 'no data' : ok ? 'yes' : 'no');
  const baseOk = base.length === d.study.seeds && base.every((r) => r.t_gen !== null && r.t_gen <= DENSE_CAP);
  const ratios = ticket.map((t) => {
    const b = base.find((x) => x.seed === t.seed);
    return b?.t_gen && t.t_gen !== null ? t.t_gen / b.t_gen : null;
  });
  const ticketOk = ticket.length === d.study.seeds && ratios.every((x) => x !== null && x <= 1 / TICKET_SPEEDUP);
  const med = (c: string) => {
    const runs = runsOf(d, mlp, c);
    const g = runs.filter((r) => r.t_gen !== null);
    const t = g.length ? Math.round(median(g.map((r) => r.t_gen!))).toLocaleString('en-US') : 'never';
    return `${t} (${g.length} of ${runs.length} generalized)`;
  };
  return markdownTable(
    ['paper finding', 'target', 'measured here', 'met'],
    [
      [
        'the dense MLP groks',
        `t_gen ≤ ${DENSE_CAP.toLocaleString('en-US')} epochs on every seed`,
        base.map((r) => `seed ${r.seed}: ${epochText(r.t_gen)}`).join('; ') || '—',
        yes(baseOk, base.length),
      ],
      [
        'the ticket generalizes almost as soon as it memorizes',
        `ticket t_gen ≤ base t_gen ÷ ${TICKET_SPEEDUP} on every seed`,
        ticket.map((t, i) => `seed ${t.seed}: ${ratios[i] === null ? 'never' : ratios[i]!.toFixed(2)}`).join('; ') ||
          '—',
        yes(ticketOk, ticket.length),
      ],
      [
        'norm-matched dense θ0 (L1 / L2) groks much later than the ticket',
        'comparison (median t_gen)',
        `ticket ${med('ticket')}; L1 ${med('l1')}; L2 ${med('l2')}`,
        '—',
      ],
      [
        'pruning-at-init masks are no better than the base',
        'comparison (median t_gen)',
        `base ${med('dense')}; random ${med('random')}; SNIP ${med('snip')}; GraSP ${med('grasp')}; SynFlow ${med('synflow')}`,
        '—',
      ],
      [
        'without weight decay a ticket still groks (kept fraction 0.19)',
        'comparison (median t_gen)',
        `ticket without weight decay ${med('ticket_keep0.19_wd0')}; dense without weight decay ${med('dense_wd0')}`,
        '—',
      ],
    ],
  );
}

/** Every placeholder of scripts/templates/grokking.md. */
export function grokPageValues(d: GrokData): PageValues {
  const s = d.study;
  const pairs = (s.p * (s.p + 1)) / 2;
  const train = Math.floor(s.train_fraction * pairs);
  return {
    banner: banner(d),
    command: s.command,
    p: String(s.p),
    pairs: pairs.toLocaleString('en-US'),
    train_pairs: train.toLocaleString('en-US'),
    test_pairs: (pairs - train).toLocaleString('en-US'),
    lr: String(s.lr),
    weight_decay: String(s.weight_decay),
    epochs: s.epochs.toLocaleString('en-US'),
    patience: String(s.patience),
    keep: String(s.keep),
    prune_rate: String(Math.round((1 - s.keep) * 100) / 100),
    eval_every: String(s.eval_every),
    reached: `${Math.round(s.reached * 100)}%`,
    seeds: String(s.seeds),
    figures: figureLinks(d),
    summary_table: summaryTable(d),
    runs_table: runsTable(d),
    findings_table: findingsTable(d),
    training_time: formatDuration(d.runs.reduce((t, r) => t + r.seconds, 0)),
    runs: String(d.runs.length),
    sessions: sessionsTable(d.sessions),
  };
}

function curveChart(
  d: GrokData,
  model: string,
  y: 'test_accuracy' | 'weight_norm',
  title: string,
): TopLevelSpec | null {
  const rows = d.runs
    .filter((r) => r.model === model && r.seed === 0)
    .flatMap((r) => r.curve.filter((p) => p.epoch > 0).map((p) => ({ run: r.run, epoch: p.epoch, [y]: p[y] })));
  if (!rows.length) return null;
  return lineChart({
    rows,
    x: 'epoch',
    y,
    color: 'run',
    title,
    xLog: true,
    xTitle: 'epoch (log scale)',
    yTitle: y === 'test_accuracy' ? 'test accuracy' : 'weight norm (L2, all parameters)',
    yZero: true,
  });
}

const CURVES = [
  ['test_accuracy', 'test accuracy'],
  ['weight_norm', 'weight norm'],
] as const;

const figureName = (model: string, y: string) => `${model.replace(/_\d+$/, '')}_${y}`;

/** Markdown image links of the figures writeGrokFigures draws from this data. */
function figureLinks(d: GrokData): string {
  const links: string[] = [];
  for (const [model] of models(d))
    for (const [y, what] of CURVES)
      if (d.runs.some((r) => r.model === model && r.seed === 0))
        links.push(`![${model} ${what}](${FIGURE_DIR}/${figureName(model, y)}.png)`);
  return links.length ? links.join('\n\n') : '(no run of seed 0 is recorded yet)';
}

/** Renders the figures (SVG + PNG) into `<out>/grokking/`; returns the files written. */
export async function writeGrokFigures(d: GrokData, out: string): Promise<string[]> {
  const files: string[] = [];
  for (const [model] of models(d))
    for (const [y, what] of CURVES) {
      const spec = curveChart(d, model, y, `${model}, seed 0: ${what}`);
      if (!spec) continue;
      const written = await writePlot(path.join(out, FIGURE_DIR, figureName(model, y)), spec);
      files.push(written.svgPath, written.pngPath);
    }
  return files;
}
