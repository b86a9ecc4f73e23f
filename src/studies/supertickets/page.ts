// The values of docs/results/supertickets.md (scripts/templates/supertickets.md holds the prose), computed from the
// committed data file alone, and its figure: test accuracy against kept MACs for every method at every budget.
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { summarize } from '../../report/aggregate.js';
import { defaultSupernetArch, Supernet, SUPERNET_KERNELS } from '../../models/supernet.js';
import { modelCost } from '../../models/cost.js';
import { SUPERTICKETS_STUDY_DEFAULTS, type StudyMethod, type TransferKind } from './settings.js';
import type { StudyRun, SuperTicketsData } from './study-data.js';

export const FIGURE_DIR = 'supertickets';
const mean = (xs: number[]) => summarize(xs).mean;
const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const pp = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} pp`;
const pm = (xs: number[]) =>
  xs.length > 1 ? `${pct(mean(xs))} ± ${(100 * summarize(xs).std).toFixed(2)}` : pct(mean(xs));
const mega = (x: number) => `${(x / 1e6).toFixed(2)}M`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

const LABELS: Record<StudyMethod, string> = {
  supertickets: 'SuperTickets (search and prune together, reactivation)',
  'no-reactivation': 'SuperTickets without reactivation',
  'reset-masks': 'SuperTickets, masks reset after each step',
  'search-then-prune': 'search, then prune (baseline)',
  'prune-then-search': 'prune at init, then search (baseline)',
};
const SHORT: Record<StudyMethod, string> = {
  supertickets: 'SuperTickets',
  'no-reactivation': 'SuperTickets, no reactivation',
  'reset-masks': 'SuperTickets, masks reset',
  'search-then-prune': 'search, then prune',
  'prune-then-search': 'prune, then search',
};
const TRANSFER_LABELS: Record<TransferKind, string> = {
  supertickets: 'the SuperTicket, transferred',
  'search-then-prune': 'the search-then-prune ticket, transferred',
  'prune-then-search': 'the prune-then-search ticket, transferred',
  'supertickets-reinit': "the SuperTicket's architecture and masks, fresh weights (control)",
  'direct-search': 'SuperTickets searched on Fashion-MNIST itself (reference)',
};

/** The runs of one method at one budget, one per seed. */
function runsOf(d: SuperTicketsData, method: StudyMethod, budget: number): StudyRun[] {
  return d.seeds.map((s) => s.search.find((r) => r.method === method && r.budget === budget)!);
}

function transfersOf(d: SuperTicketsData, kind: TransferKind): StudyRun[] {
  return d.seeds.map((s) => s.transfer.find((r) => r.kind === kind)!);
}

function banner(d: SuperTicketsData): string {
  const s = d.study.settings;
  const d0 = SUPERTICKETS_STUDY_DEFAULTS;
  return s.epochs !== d0.epochs || s.examples !== d0.examples || d.study.seeds.length < 2
    ? `> **⚠ SMOKE-TEST RUN — NOT THE STUDY.** ${s.epochs} epochs of ${s.examples} examples, ` +
        `${d.study.seeds.length} seed(s); do not read findings into these numbers.\n\n`
    : '';
}

/**
 * The accuracy of a trade-off curve at `macs`: linear interpolation in log MACs between the two nearest points; null
 * outside the curve's range.
 */
export function accuracyAtMacs(curve: readonly { macs: number; acc: number }[], macs: number): number | null {
  const pts = [...curve].sort((a, b) => a.macs - b.macs);
  if (pts.length === 0 || macs < pts[0]!.macs || macs > pts[pts.length - 1]!.macs) return null;
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1]!, pts[i]!];
    if (macs <= b.macs) {
      if (b.macs === a.macs) return Math.max(a.acc, b.acc);
      const t = (Math.log(macs) - Math.log(a.macs)) / (Math.log(b.macs) - Math.log(a.macs));
      return a.acc + t * (b.acc - a.acc);
    }
  }
  return pts[0]!.acc; // a single point equal to macs
}

/** Per seed, a − b of test accuracy; and whether the sign agrees on every seed. */
function differences(a: StudyRun[], b: StudyRun[]): { diffs: number[]; consistent: boolean } {
  const diffs = a.map((r, i) => r.test_accuracy - b[i]!.test_accuracy);
  return { diffs, consistent: diffs.every((x) => x > 0) || diffs.every((x) => x < 0) };
}

function criteria(d: SuperTicketsData): string {
  const budgets = d.study.settings.budgets;
  const lines: string[] = [];
  for (const baseline of ['search-then-prune', 'prune-then-search'] as const) {
    // The baseline's mean accuracy against its mean kept MACs over the budgets: its trade-off curve.
    const curve = budgets.map((b) => {
      const r = runsOf(d, baseline, b);
      return { macs: mean(r.map((x) => x.flops)), acc: mean(r.map((x) => x.test_accuracy)) };
    });
    const rows = budgets.map((b) => {
      const st = runsOf(d, 'supertickets', b);
      const macs = mean(st.map((r) => r.flops));
      const acc = mean(st.map((r) => r.test_accuracy));
      const at = accuracyAtMacs(curve, macs);
      return {
        verdict: at === null ? null : acc >= at,
        text:
          at === null
            ? `${pct(b, 0)}: ${mega(macs)} MACs, outside the baseline's range (${mega(Math.min(...curve.map((c) => c.macs)))}–${mega(Math.max(...curve.map((c) => c.macs)))})`
            : `${pct(b, 0)}: ${pct(acc)} at ${mega(macs)} MACs against ${pct(at)} (${pp(acc - at)})`,
      };
    });
    const judged = rows.filter((r) => r.verdict !== null);
    lines.push(
      `${lines.length + 1}. *SuperTickets beat ${baseline === 'search-then-prune' ? 'searching first and pruning afterwards' : 'pruning first and searching afterwards'}* ` +
        `(the paper's main claim, at equal FLOPs). At every budget, SuperTickets' mean test accuracy is at least the ` +
        `baseline's at the same kept MACs (the baseline's mean accuracy against its mean MACs over the budgets, ` +
        `interpolated linearly in log MACs; a SuperTicket outside the baseline's MAC range is not judged). Measured, ` +
        `by budget pruned: ${rows.map((r) => r.text).join('; ')}: ` +
        `${judged.length === 0 ? '**not judged** (no budget inside the range)' : met(judged.every((r) => r.verdict))} ` +
        `(${judged.filter((r) => r.verdict).length} of ${judged.length} budgets judged).`,
    );
  }
  for (const [method, how] of [
    ['supertickets', 'implicit reactivation (a pruned weight keeps its value and returns when it ranks back in)'],
    ['reset-masks', 'masks reset after each step (every weight trains on, and each step chooses afresh)'],
  ] as const) {
    const react = budgets.map((b) => differences(runsOf(d, method, b), runsOf(d, 'no-reactivation', b)));
    const same = budgets.every((b) =>
      runsOf(d, method, b).every((r, i) => r.test_accuracy === runsOf(d, 'no-reactivation', b)[i]!.test_accuracy),
    );
    lines.push(
      `${lines.length + 1}. *Reactivation helps* (the paper's ablation), with ${how}. At every budget, mean test ` +
        `accuracy with it is at least that with permanent masks. Measured: ` +
        `${budgets.map((b, i) => `${pct(b, 0)}: ${pp(mean(react[i]!.diffs))}`).join('; ')}: ` +
        `${met(react.every((r) => mean(r.diffs) >= 0))}` +
        (same ? ' — but only because every run is identical to its permanent-mask twin: no weight came back.' : '.'),
    );
  }
  const st = transfersOf(d, 'supertickets');
  const others = (['search-then-prune', 'prune-then-search'] as const).map((k) => differences(st, transfersOf(d, k)));
  lines.push(
    `${lines.length + 1}. *SuperTickets transfer better than the baselines' tickets.* On Fashion-MNIST, the ` +
      `transferred SuperTicket's mean test accuracy is at least each transferred baseline ticket's. Measured: ` +
      `${pp(mean(others[0]!.diffs))} against search-then-prune, ${pp(mean(others[1]!.diffs))} against ` +
      `prune-then-search: ${met(others.every((o) => mean(o.diffs) >= 0))}.`,
  );
  const reinit = differences(st, transfersOf(d, 'supertickets-reinit'));
  lines.push(
    `${lines.length + 1}. *The transferred weights matter, not only the architecture and masks.* The transferred ` +
      `SuperTicket beats the same architecture and masks with fresh weights, trained alike, on every seed. Measured: ` +
      `${reinit.diffs.map(pp).join(', ')}: ${met(reinit.diffs.every((x) => x > 0))}.`,
  );
  return lines.join('\n');
}

/** Why implicit reactivation can change nothing, when the data shows it changed nothing. */
function reactivationNote(d: SuperTicketsData): string {
  const budgets = d.study.settings.budgets;
  const same = budgets.every((b) =>
    runsOf(d, 'supertickets', b).every((r, i) => r.test_accuracy === runsOf(d, 'no-reactivation', b)[i]!.test_accuracy),
  );
  if (!same) return '';
  return (
    '\nImplicit reactivation and permanent masks gave the same run, bit for bit, at every budget and seed: no pruned ' +
    'weight ever ranked back in. It cannot easily: a pruned weight keeps the value it had when pruned, below that ' +
    "step's threshold, and the next step prunes 10% more of all weights, so it returns only if, within one epoch, " +
    'more of the weights still training shrink below its value than that extra 10% of all the weights. ' +
    'Reactivation that does something needs the masks ' +
    'reset, so that pruned weights train again (the third row of each budget).\n'
  );
}

function searchTable(d: SuperTicketsData): string {
  const rows: string[][] = [];
  for (const b of d.study.settings.budgets)
    for (const m of Object.keys(LABELS) as StudyMethod[]) {
      const r = runsOf(d, m, b);
      rows.push([
        pct(b, 0),
        LABELS[m],
        pm(r.map((x) => x.test_accuracy)),
        mega(mean(r.map((x) => x.flops))),
        mega(mean(r.map((x) => x.dense_flops))),
        Math.round(mean(r.map((x) => x.params))).toLocaleString('en-US'),
        Math.round(mean(r.map((x) => x.channels_cut))).toString(),
        `${mean(r.map((x) => x.seconds)).toFixed(0)} s`,
      ]);
    }
  return markdownTable(
    [
      'pruned',
      'method',
      'test accuracy',
      'MACs kept',
      'MACs of its architecture',
      'weights kept',
      'channels cut',
      'training',
    ],
    rows,
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** What the search chose: the expansion channels left per branch of every block, by budget (first seed). */
function architectureTable(d: SuperTicketsData): string {
  const first = d.seeds[0]!;
  const blocks = first.search[0]!.branches.length;
  const cell = (r: StudyRun, block: number) => r.branches[block]!.join(' / ');
  const rows = d.study.settings.budgets.flatMap((b) =>
    (['supertickets', 'search-then-prune', 'prune-then-search'] as const).map((m) => {
      const r = first.search.find((x) => x.method === m && x.budget === b)!;
      return [pct(b, 0), m, ...Array.from({ length: blocks }, (_, i) => cell(r, i))];
    }),
  );
  return markdownTable(['pruned', 'method', ...Array.from({ length: blocks }, (_, i) => `block ${i}`)], rows, [
    'right',
    'left',
    ...Array.from({ length: blocks }, () => 'center' as const),
  ]);
}

function transferTable(d: SuperTicketsData): string {
  return markdownTable(
    ['Fashion-MNIST run', 'test accuracy', 'per seed', 'MACs kept', 'weights kept', 'training'],
    (Object.keys(TRANSFER_LABELS) as TransferKind[]).map((k) => {
      const r = transfersOf(d, k);
      return [
        TRANSFER_LABELS[k],
        pm(r.map((x) => x.test_accuracy)),
        r.map((x) => pct(x.test_accuracy)).join(', '),
        mega(mean(r.map((x) => x.flops))),
        Math.round(mean(r.map((x) => x.params))).toLocaleString('en-US'),
        `${mean(r.map((x) => x.seconds)).toFixed(0)} s`,
      ];
    }),
    ['left', 'right', 'right', 'right', 'right', 'right'],
  );
}

export function superticketsPageValues(d: SuperTicketsData): PageValues {
  const s = d.study.settings;
  const full = defaultSupernetArch();
  return {
    banner: banner(d),
    command: d.study.command,
    budgets: s.budgets.map((b) => pct(b, 0)).join(', '),
    epochs: String(s.epochs),
    examples: s.examples.toLocaleString('en-US'),
    steps: String(s.epochs * Math.floor(s.examples / 128)),
    l1: String(s.l1),
    threshold: String(s.threshold),
    channels: String(full.blocks.reduce((a, b) => a + b.branches.reduce((c, x) => c + x.hidden, 0), 0)),
    kernels: SUPERNET_KERNELS.join(', '),
    dense_macs: mega(modelCost(new Supernet('mnist_supernet', 'mnist', full)).macs),
    transfer_budget: pct(s.transferBudget, 0),
    transfer_epochs: String(s.transferEpochs),
    seeds: d.study.seeds.join(', '),
    criteria: criteria(d),
    search_table: searchTable(d),
    reactivation_note: reactivationNote(d),
    architecture_table: architectureTable(d),
    transfer_table: transferTable(d),
    sessions: sessionsTable(d.sessions),
  };
}

function tradeoffChart(d: SuperTicketsData): TopLevelSpec {
  const values = d.seeds.flatMap((seed) =>
    seed.search.map((r) => ({
      method: SHORT[r.method as StudyMethod],
      macs: r.flops / 1e6,
      accuracy: r.test_accuracy,
      budget: r.budget,
    })),
  );
  const color = {
    field: 'method',
    type: 'nominal' as const,
    title: null,
    legend: { labelLimit: 400, orient: 'bottom' as const, columns: 2 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'MNIST: accuracy against MACs kept (points: seeds; lines: means)',
    width: 460,
    height: 280,
    data: { values },
    layer: [
      {
        mark: { type: 'point', opacity: 0.5 },
        encoding: {
          x: { field: 'macs', type: 'quantitative', title: 'MACs kept per example (millions)', scale: { zero: false } },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'test accuracy',
            axis: { format: '%' },
            scale: { zero: false },
          },
          color,
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { aggregate: 'mean', field: 'macs', type: 'quantitative' },
          y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative' },
          color,
          order: { field: 'budget', type: 'quantitative' },
        },
      },
    ],
  };
}

export async function writeSuperTicketsFigures(d: SuperTicketsData, out: string): Promise<string[]> {
  const w = await writePlot(path.join(out, FIGURE_DIR, 'tradeoff'), tradeoffChart(d));
  return [w.svgPath, w.pngPath];
}
