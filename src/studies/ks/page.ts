// The values of docs/results/ks-lottery.md (scripts/templates/ks-lottery.md holds the prose), computed from the
// committed data file alone, and its figures: how much of full embedding tuning's gain each way of choosing rows
// recovers, against the number of rows, with and without the stop tokens.
import path from 'node:path';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { formatDuration, sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { summarize } from '../../report/aggregate.js';
import { lineChart } from '../../report/ticket-plots.js';
import { KS_STUDY_DEFAULTS } from './settings.js';
import type { KsData, KsScore, KsSeedLine } from './study-data.js';

export const FIGURE_DIR = 'ks-lottery';
/** The paper's claim, as a criterion: the ticket recovers at least this share of full tuning's loss gain. */
const RECOVERY = 0.9;
const METHODS = [
  ['ks', 'KS rows (largest D)'],
  ['frequent', 'most frequent tokens'],
  ['random', 'random used tokens'],
] as const;

const mean = (xs: number[]) => summarize(xs).mean;
const sd = (xs: number[]) => summarize(xs).std;
const pm = (xs: number[], digits: number) =>
  xs.length > 1 ? `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}` : mean(xs).toFixed(digits);
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function scoreOf(seed: KsSeedLine, name: string): KsScore | undefined {
  return seed.scores.find((s) => s.name === name);
}

/** Share of full tuning's loss gain over the base that a model keeps (1: as good as full tuning). */
function recovered(seed: KsSeedLine, name: string, field: 'loss' | 'loss_no_stop'): number {
  const base = scoreOf(seed, 'base')![field];
  const full = scoreOf(seed, 'full')![field];
  return (base - scoreOf(seed, name)![field]) / (base - full);
}

function banner(d: KsData): string {
  const s = d.study.settings;
  const d0 = KS_STUDY_DEFAULTS;
  const smoke = s.pretrainSteps !== d0.pretrainSteps || s.tuneSteps !== d0.tuneSteps || d.study.seeds < 3;
  return smoke
    ? `> **⚠ SMOKE-TEST RUN — NOT THE STUDY.** ${s.pretrainSteps} pretraining and ${s.tuneSteps} tuning steps, ` +
        `${d.study.seeds} seed(s); do not read findings into these numbers.\n\n`
    : '';
}

function criteria(d: KsData): string {
  const seeds = d.seeds;
  const ticket = seeds.map((s) => recovered(s, 'ticket', 'loss'));
  const budgets = d.study.settings.budgets;
  const beatsRandom = budgets.filter(
    (k) =>
      mean(seeds.map((s) => recovered(s, `ks_k${k}`, 'loss'))) >
      mean(seeds.map((s) => recovered(s, `random_k${k}`, 'loss'))),
  );
  const beatsFrequent = budgets.filter(
    (k) =>
      mean(seeds.map((s) => recovered(s, `ks_k${k}`, 'loss'))) >
      mean(seeds.map((s) => recovered(s, `frequent_k${k}`, 'loss'))),
  );
  const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const ticketOk = ticket.every((r) => r >= RECOVERY);
  return [
    `1. *The paper's claim.* Tuning only the KS ticket (the rows significant at α = ${d.study.settings.alpha}) ` +
      `recovers at least ${pct(RECOVERY)} of full embedding tuning's held-out loss gain, on every seed. ` +
      `Measured: ${ticket.map(pct).join(', ')} with ${seeds.map((s) => s.ticket.counts.none).join(', ')} rows: ${met(ticketOk)}.`,
    `2. *KS against chance.* At every budget, KS rows recover more of the gain than random rows of tokens the ` +
      `target uses (mean over seeds). Measured: KS ahead at ${beatsRandom.length} of ${budgets.length} budgets ` +
      `(${budgets.map((k) => `k = ${k}: ${beatsRandom.includes(k) ? 'yes' : 'no'}`).join(', ')}): ${met(beatsRandom.length === budgets.length)}.`,
    `3. *KS against the obvious choice* (the replication's point). At every budget, KS rows recover more than the ` +
      `target's most frequent tokens. Measured: KS ahead at ${beatsFrequent.length} of ${budgets.length} budgets: ` +
      `${met(beatsFrequent.length === budgets.length)}.`,
  ].join('\n');
}

function resultsTable(d: KsData): string {
  const names: [string, string][] = [
    ['base', 'untuned (pretrained on the source)'],
    ['full', 'full embedding tuning'],
    ['ticket', 'KS ticket, partial tuning'],
    ['transfer_ticket', 'KS ticket, partial transfer'],
  ];
  for (const k of d.study.settings.budgets)
    for (const [m, label] of METHODS) names.push([`${m}_k${k}`, `${label}, ${k} rows`]);
  const rows = names.map(([name, label]) => {
    const xs = d.seeds.map((s) => scoreOf(s, name)!);
    const gain = (f: 'loss' | 'loss_no_stop') =>
      name === 'base' ? '—' : pct(mean(d.seeds.map((s) => recovered(s, name, f))));
    return [
      label,
      pm(
        xs.map((x) => x.rows),
        0,
      ),
      pm(
        xs.map((x) => x.loss),
        3,
      ),
      gain('loss'),
      pm(
        xs.map((x) => x.loss_no_stop),
        3,
      ),
      gain('loss_no_stop'),
      pm(
        xs.map((x) => x.chrf),
        1,
      ),
      pm(
        xs.map((x) => x.chrf_first_line),
        1,
      ),
    ];
  });
  return markdownTable(
    ['model', 'rows', 'loss', 'gain kept', 'loss w/o stops', 'gain kept w/o stops', 'chrF', 'chrF first line'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

function ticketTokens(seed: KsSeedLine): string {
  return markdownTable(
    ['rank', 'row', 'token', 'D', 'p'],
    seed.ticket.selected.map((t, i) => [
      i + 1,
      t.row,
      `\`${JSON.stringify(t.token).slice(1, -1).replace(/`/g, 'ˋ')}\``,
      t.statistic.toFixed(4),
      t.p_value.toExponential(2),
    ]),
    ['right', 'right', 'left', 'right', 'right'],
  );
}

function certificateTable(d: KsData): string {
  const fractions = d.seeds[0]!.certificate.map((c) => c.sigma_fraction);
  const rows = fractions.map((f) => {
    const cs = d.seeds.map((s) => s.certificate.find((c) => c.sigma_fraction === f)!);
    return [
      `${f} × rms`,
      pm(
        cs.map((c) => c.sigma),
        4,
      ),
      pm(
        cs.map((c) => c.leftOutNorm),
        4,
      ),
      pm(
        cs.map((c) => c.medianRadius),
        4,
      ),
      pct(mean(cs.map((c) => c.certified))),
      pct(mean(cs.map((c) => c.abstained))),
    ];
  });
  return markdownTable(['noise σ', 'σ', '‖δ‖₂ of the rows left out', 'median radius', 'certified', 'abstained'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
}

/** What the measurements say about the metric and the stop tokens, in numbers. */
function observations(d: KsData): { chrf_range: string; stop_effect: string; certificate_summary: string } {
  const all = d.seeds.flatMap((x) => x.scores);
  const chrf = all.map((x) => x.chrf);
  const names = [...new Set(all.filter((x) => x.method !== 'base').map((x) => x.name))];
  const gap = Math.max(
    ...names.map((n) => Math.abs(mean(d.seeds.map((x) => recovered(x, n, 'loss') - recovered(x, n, 'loss_no_stop'))))),
  );
  const certs = d.seeds.flatMap((x) => x.certificate);
  const best = Math.max(...certs.map((c) => c.certified));
  const norm = mean(certs.map((c) => c.leftOutNorm));
  const radius = Math.max(...certs.map((c) => c.medianRadius));
  return {
    chrf_range: `${Math.min(...chrf).toFixed(1)} to ${Math.max(...chrf).toFixed(1)}`,
    stop_effect: `${(100 * gap).toFixed(1)} percentage points`,
    certificate_summary:
      `At the noise levels tried, ${pct(best)} of predictions are certified at best: the rows the ticket leaves ` +
      `out moved by ${norm.toFixed(2)} in L2 norm, against median radii of at most ${radius.toFixed(3)}.`,
  };
}

export function ksPageValues(d: KsData): PageValues {
  const s = d.study.settings;
  const first = d.seeds[0]!;
  const transfers = d.seeds.map((x) => recovered(x, 'transfer_ticket', 'loss'));
  const tuneSeconds = d.seeds.flatMap((x) => x.scores.filter((c) => c.how === 'tune').map((c) => c.seconds));
  return {
    banner: banner(d),
    command: d.study.command,
    model: s.model,
    source: s.source,
    target: s.target,
    pretrain_steps: String(s.pretrainSteps),
    pretrain_lr: String(s.pretrainLr),
    tune_steps: String(s.tuneSteps),
    tune_lr: String(s.tuneLr),
    batch: String(s.batchSize),
    seq_len: String(s.seqLen),
    alpha: String(s.alpha),
    seeds: String(d.study.seeds),
    budgets: s.budgets.join(', '),
    criteria: criteria(d),
    results_table: resultsTable(d),
    ticket_sizes: d.seeds
      .map((x) => `${x.ticket.counts.none} (Holm ${x.ticket.counts.holm}, BH ${x.ticket.counts.bh})`)
      .join('; '),
    critical_value: first.ticket.critical_value.toFixed(4),
    critical_value_approx: first.ticket.critical_value_approx.toFixed(4),
    dim: String(first.ticket.dim),
    ticket_tokens: ticketTokens(first),
    certificate_table: certificateTable(d),
    ...observations(d),
    certificate_predictions: String(first.certificate[0]?.predictions ?? 0),
    transfer_kept: transfers.map(pct).join(', '),
    pretrain_time: formatDuration(mean(d.seeds.map((x) => x.pretrain_seconds))),
    tune_time: `${mean(tuneSeconds).toFixed(1)} s`,
    sessions: sessionsTable(d.sessions),
  };
}

function recoveryChart(d: KsData, field: 'loss' | 'loss_no_stop', title: string) {
  const rows: Record<string, unknown>[] = [];
  for (const [m, label] of METHODS)
    for (const how of ['tune', 'transfer'] as const)
      for (const k of d.study.settings.budgets) {
        const name = `${how === 'transfer' ? 'transfer_' : ''}${m}_k${k}`;
        rows.push({ rows: k, kept: mean(d.seeds.map((s) => recovered(s, name, field))), way: `${label}, ${how}` });
      }
  return lineChart({
    rows,
    x: 'rows',
    y: 'kept',
    color: 'way',
    colorTitle: 'rows chosen by',
    title,
    xLog: true,
    xTitle: 'embedding rows tuned (log)',
    yTitle: 'share of full tuning’s loss gain',
    yZero: true,
  });
}

export async function writeKsFigures(d: KsData, out: string): Promise<string[]> {
  const files: string[] = [];
  for (const [field, name, title] of [
    ['loss', 'recovery', 'Loss gain kept, all test tokens'],
    ['loss_no_stop', 'recovery-no-stop', 'Loss gain kept, without line and document ends'],
  ] as const) {
    const w = await writePlot(path.join(out, FIGURE_DIR, name), recoveryChart(d, field, title));
    files.push(w.svgPath, w.pngPath);
  }
  return files;
}
