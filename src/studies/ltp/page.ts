// The values of docs/results/ltp.md (scripts/templates/ltp.md holds the prose), computed from the committed data file
// alone, and its figure: zero-shot accuracy per language for each method.
import path from 'node:path';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { formatDuration, sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { summarize } from '../../report/aggregate.js';
import { LTP_METHODS, LTP_STUDY_DEFAULTS, type LtpMethod } from './settings.js';
import { ARTICLES } from './data.js';
import type { LtpData } from './study-data.js';
import type { TopLevelSpec } from 'vega-lite';

export const FIGURE_DIR = 'ltp';
const LABELS: Record<LtpMethod, string> = {
  prompt: 'prompt only',
  full: 'full fine-tuning',
  ltp: 'LTP ticket',
  random: 'random mask',
  bottom: 'ticket budget, bottom block',
  middle: 'ticket budget, middle block',
  top: 'ticket budget, top block',
};

const mean = (xs: number[]) => summarize(xs).mean;
const sd = (xs: number[]) => summarize(xs).std;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pm = (xs: number[]) => (xs.length > 1 ? `${pct(mean(xs))} ± ${(100 * sd(xs)).toFixed(1)}` : pct(mean(xs)));

/** Accuracy of `method` on `lang` for every seed. */
function accuracies(d: LtpData, method: LtpMethod, lang: string): number[] {
  return d.seeds.map((s) => s.results.find((r) => r.method === method)!.accuracy[lang]!);
}

/** Mean zero-shot accuracy (over the test languages) of `method`, per seed. */
function zeroShot(d: LtpData, method: LtpMethod): number[] {
  const tests = d.study.settings.languages.slice(1);
  return d.seeds.map((s) => mean(tests.map((l) => s.results.find((r) => r.method === method)!.accuracy[l]!)));
}

function banner(d: LtpData): string {
  const s = d.study.settings;
  const d0 = LTP_STUDY_DEFAULTS;
  const smoke = s.pretrainSteps !== d0.pretrainSteps || s.taskSteps !== d0.taskSteps || d.study.seeds < 3;
  return smoke
    ? `> **⚠ SMOKE-TEST RUN — NOT THE STUDY.** ${s.pretrainSteps} pretraining and ${s.taskSteps} task steps, ` +
        `${d.study.seeds} seed(s); do not read findings into these numbers.\n\n`
    : '';
}

function criteria(d: LtpData): string {
  const z = (m: LtpMethod) => mean(zeroShot(d, m));
  const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const line = (claim: string, a: LtpMethod, b: LtpMethod, orEqual = false) =>
    `${claim} Measured: ${pct(z(a))} against ${pct(z(b))}: ${met(orEqual ? z(a) >= z(b) : z(a) > z(b))}.`;
  const blocks = (['bottom', 'middle', 'top'] as const).map((m) => [m, z(m)] as const);
  const bestBlock = blocks.reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    line(
      '1. *The LTP ticket helps the prompt.* LTP (prompt, head and ticket) beats the prompt alone.',
      'ltp',
      'prompt',
    ),
    line('2. *With a fifth of the weights.* LTP matches or beats full fine-tuning.', 'ltp', 'full', true),
    line('3. *The choice of weights matters.* LTP beats a random mask of the same size.', 'ltp', 'random'),
    `4. *Middle layers* (the paper's finding). Spending the ticket's budget in the middle block beats the bottom and ` +
      `top blocks. Measured: ${blocks.map(([m, v]) => `${m} ${pct(v)}`).join(', ')}: ${met(bestBlock[0] === 'middle')}.`,
  ].join('\n');
}

function resultsTable(d: LtpData): string {
  const langs = d.study.settings.languages;
  const rows = LTP_METHODS.map((m) => {
    const r = d.seeds.map((s) => s.results.find((x) => x.method === m)!);
    return [
      LABELS[m],
      Math.round(mean(r.map((x) => x.trainable))).toLocaleString('en-US'),
      ...langs.map((l) => pm(accuracies(d, m, l))),
      pm(zeroShot(d, m)),
    ];
  });
  return markdownTable(['method', 'trainable', `${langs[0]} (trained on)`, ...langs.slice(1), 'zero-shot mean'], rows, [
    'left',
    ...Array<'right'>(langs.length + 2).fill('right'),
  ]);
}

function ticketTable(d: LtpData): string {
  const first = d.seeds[0]!.ticket;
  return markdownTable(
    ['tensor', 'kept', 'of', 'fraction'],
    first.tensors.map((t) => [
      t.name,
      t.kept.toLocaleString('en-US'),
      t.total.toLocaleString('en-US'),
      pct(t.kept / t.total),
    ]),
    ['left', 'right', 'right', 'right'],
  );
}

export function ltpPageValues(d: LtpData): PageValues {
  const s = d.study.settings;
  const taskSeconds = d.seeds.flatMap((x) => x.results.map((r) => r.seconds));
  return {
    banner: banner(d),
    command: d.study.command,
    model: s.model,
    languages: s.languages.map((l) => `\`${l}\``).join(', '),
    train_language: s.languages[0]!,
    window: String(s.window),
    prompt_length: String(s.promptLength),
    batch: String(s.batchSize),
    pretrain_steps: String(s.pretrainSteps),
    pretrain_lr: String(s.pretrainLr),
    mlm_steps: String(s.mlmSteps),
    mlm_lr: String(s.mlmLr),
    task_steps: String(s.taskSteps),
    task_lr: String(s.taskLr),
    keep: pct(s.keep),
    seeds: String(d.study.seeds),
    chance: pct(1 / ARTICLES),
    majority: pct(mean(s.languages.slice(1).map((l) => d.study.majority[l]!))),
    majority_train: pct(d.study.majority[s.languages[0]!]!),
    criteria: criteria(d),
    results_table: resultsTable(d),
    ticket_table: ticketTable(d),
    pretrain_time: formatDuration(mean(d.seeds.map((x) => x.pretrain_seconds))),
    task_time: `${mean(taskSeconds).toFixed(1)} s`,
    sessions: sessionsTable(d.sessions),
  };
}

function accuracyChart(d: LtpData): TopLevelSpec {
  const values = LTP_METHODS.flatMap((m) =>
    d.study.settings.languages
      .slice(1)
      .map((l) => ({ method: LABELS[m], language: l, accuracy: mean(accuracies(d, m, l)) })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Zero-shot accuracy by language (mean over seeds)',
    data: { values },
    mark: 'bar',
    width: 90,
    height: 220,
    encoding: {
      column: { field: 'language', type: 'nominal', title: null },
      x: {
        field: 'method',
        type: 'nominal',
        title: null,
        sort: LTP_METHODS.map((m) => LABELS[m]),
        axis: { labels: false },
      },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', axis: { format: '%' } },
      color: {
        field: 'method',
        type: 'nominal',
        sort: LTP_METHODS.map((m) => LABELS[m]),
        title: 'trained on the task',
      },
    },
  };
}

export async function writeLtpFigures(d: LtpData, out: string): Promise<string[]> {
  const w = await writePlot(path.join(out, FIGURE_DIR, 'zero-shot'), accuracyChart(d));
  return [w.svgPath, w.pngPath];
}
