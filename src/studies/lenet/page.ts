// The values of docs/results/lenet.md (scripts/templates/lenet.md holds the prose), computed from the committed data
// file alone, and the page's figures (the lottery report's, drawn from the same data).
import path from 'node:path';
import { TRUNK } from '../../lottery/layout.js';
import { lotteryFigures, writeLotteryFigures } from '../../report/lottery.js';
import type { PageValues } from '../../report/page.js';
import { formatDuration, sessionsTable } from '../../report/runtime.js';
import { formatMeanStd, formatPercent, markdownTable } from '../../report/table.js';
import { lotteryDefaults } from '../../hparams/defaults.js';
import { findingRows } from './findings.js';
import { MODEL, PAPER_STEPS } from './grid.js';
import { lenetHparamsOf, lotteryResultsOf, type LenetData, type LenetHparams } from './study-data.js';
import { branchStats, type LevelStats } from './summary.js';

/** Figures go to `<out>/lenet/`, beside the data file. */
export const FIGURE_DIR = 'lenet';
const REINIT = 'random_reinit';

/** Warnings above the page: a training length other than the paper's, missing levels. */
function banner(d: LenetData): string {
  const { study, levels } = d;
  const parts: string[] = [];
  if (study.hparams.steps !== PAPER_STEPS)
    parts.push(
      `> **⚠ SMOKE-TEST RUN — NOT A REPRODUCTION.** ${study.hparams.steps} per level instead of the paper's ` +
        `${PAPER_STEPS}; do not read\n> findings into these numbers.`,
    );
  const expected = study.replicates * (study.levels + 1 + study.levels * (study.branches.length - 1));
  if (levels.length < expected)
    parts.push(
      `> **Incomplete:** ${levels.length} of ${expected} levels (${study.replicates} replicates × ${study.levels + 1} ` +
        'levels, with the\n> controls) are recorded; the n column says how many replicates each row has.',
    );
  return parts.map((p) => `${p}\n\n`).join('');
}

function resultsTable(ticket: LevelStats[], reinit: LevelStats[]): string {
  const byLevel = new Map(reinit.filter((r) => r.level > 0).map((r) => [r.level, r]));
  const rows = ticket.map((t) => {
    const r = byLevel.get(t.level);
    const accText = (x: LevelStats) => formatMeanStd(x.acc, x.accStd, x.n);
    return [
      t.level,
      formatPercent(t.pm / 100),
      accText(t),
      t.final.toFixed(2),
      Math.round(t.es),
      r ? accText(r) : '—',
      r ? String(Math.round(r.es)) : '—',
      t.n,
    ];
  });
  const header = [
    'level',
    'Pm (%)',
    'ticket acc@early stop (%)',
    'ticket final acc (%)',
    'ticket early-stop it',
    'reinit acc@early stop (%)',
    'reinit early-stop it',
    'n',
  ];
  return markdownTable(
    header,
    rows,
    header.map(() => 'right' as const),
  );
}

/** The stated settings whose values differ from today's defaults (data may predate a default's change). */
function changedSettings(h: LenetHparams): string {
  const today = lenetHparamsOf(lotteryDefaults(MODEL));
  const changed = (Object.keys(today) as (keyof LenetHparams)[]).filter((k) => h[k] !== today[k]);
  return changed.length
    ? changed.map((k) => `\`${k} = ${JSON.stringify(h[k])}\` (today: ${JSON.stringify(today[k])})`).join(', ')
    : "none (the paper's, and the reference code's zero biases)";
}

/** How the data's bias init compares with the reference code's (zero biases, reinit redraws weights only). */
function biasNote(biasInit: string): string {
  return biasInit === 'zeros'
    ? 'zero, as in the reference code; the reinit control redraws the weights and leaves the biases at zero, as ' +
        "the reference code's does"
    : "U(±1/√fan_in), PyTorch's default, redrawn by the reinit control. **This differs from the reference code**, " +
        'which starts every bias at zero and redraws only weights; these runs predate `--bias-init` (today zero)';
}

function hparamValues(d: LenetData): PageValues {
  const h = d.study.hparams;
  return {
    optimizer: h.optimizer === 'adam' ? 'Adam' : h.optimizer,
    lr: String(h.lr),
    batch_size: String(h.batch_size),
    steps: h.steps,
    strategy: h.strategy,
    fc_rate: `${Math.round(h.fc_rate * 100)}%`,
    output_rate: `${Math.round(h.output_rate * 100)}%`,
    init: h.init,
    bias_init: h.bias_init === 'zeros' ? 'zero' : h.bias_init,
    bias_note: biasNote(h.bias_init),
    rewind: h.rewind === '0it' ? 'reset to θ0' : `rewound to their values at ${h.rewind}`,
    validation: h.validation.toLocaleString('en-US'),
    eval_every: String(h.eval_every).replace(/it$/, ''),
    changed: changedSettings(h),
  };
}

function runtimeValues(d: LenetData): PageValues {
  return {
    training_time: formatDuration(d.levels.reduce((s, l) => s + l.seconds, 0)),
    trained_levels: String(d.levels.length),
    sparse_levels: String(d.levels.filter((l) => l.sparse_layers > 0).length),
    sessions: sessionsTable(d.sessions),
  };
}

/** Every placeholder of scripts/templates/lenet.md. */
export function lenetPageValues(d: LenetData): PageValues {
  const { study } = d;
  const ticket = branchStats(d.levels, TRUNK);
  const reinit = branchStats(d.levels, REINIT);
  const reps = new Set(d.levels.map((l) => l.replicate)).size;
  const steps = study.hparams.steps === PAPER_STEPS ? '' : ` --steps ${study.hparams.steps}`;
  const controls = study.branches.filter((b) => b !== TRUNK).join(',');
  return {
    banner: banner(d),
    command: study.command,
    lottery_command: `npx ticketlab lottery --model ${MODEL} --levels ${study.levels} --replicate R --branch ${controls}${steps}`,
    experiment: study.experiment,
    replicates: String(reps),
    ...hparamValues(d),
    results_table: resultsTable(ticket, reinit),
    findings_table: markdownTable(['paper finding', 'target', 'measured here', 'met'], findingRows({ ticket, reinit })),
    ...runtimeValues(d),
  };
}

export function lenetPlotTitle(d: LenetData): string {
  const rewind = d.study.hparams.rewind;
  return `LeNet-300-100 on MNIST (iterative pruning, ${rewind === '0it' ? 'reset to θ0' : `rewind to ${rewind}`})`;
}

/** Renders the accuracy, early-stop and curves figures (SVG + PNG) into `<out>/lenet/`; returns the files. */
export async function writeLenetFigures(d: LenetData, out: string): Promise<string[]> {
  const figures = lotteryFigures([lotteryResultsOf(d)], {
    title: lenetPlotTitle(d),
    curves: d.levels.filter((l) => l.curve?.length),
  });
  return writeLotteryFigures(path.join(out, FIGURE_DIR), figures);
}
