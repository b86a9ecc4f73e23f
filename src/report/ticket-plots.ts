// Lottery-ticket figures in the style of Frankle & Carbin (2019), Figs. 1, 3 and 4, plus a plain line chart.
import type { TopLevelSpec } from 'vega-lite';
import { DataError } from '../util/errors.js';
import {
  seriesOrder,
  summarizeTickets,
  type NumericKey,
  type SeriesLevel,
  type Summary,
  type TicketRow,
} from './aggregate.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 460;
const HEIGHT = 290;
// Line swatches (not the faint band fill) so each legend entry looks like its mean line.
const LEGEND_STYLE = {
  symbolType: 'stroke',
  symbolStrokeWidth: 2.5,
  symbolOpacity: 1,
  titleLimit: 320,
  labelLimit: 260,
};
export const PERCENT_TITLE = 'Percent of weights remaining';
export const ACCURACY_TITLE = 'Test accuracy (%)';
export const EARLY_STOP_TITLE = 'Early-stop iteration';

/** What the shaded band (or error bar) around each mean line spans, over replicates. */
export type Spread = 'minmax' | 'std';

export interface TicketPlotOptions<R extends TicketRow> {
  title: string;
  /** Field plotted by `accuracyPlot` (fraction in [0, 1]); default 'testAccuracy'. */
  accuracyField?: NumericKey<R>;
  /** Default 'minmax'. */
  spread?: Spread;
  /** Shaded band (default) or vertical error bars. */
  errorStyle?: 'band' | 'bars';
}

/** Test accuracy vs percent of weights remaining (log x, dense on the left), mean line per series. */
export function accuracyPlot<R extends TicketRow>(rows: readonly R[], options: TicketPlotOptions<R>): TopLevelSpec {
  const field = options.accuracyField ?? ('testAccuracy' as NumericKey<R>);
  const levels = summarizeTickets(rows, field);
  for (const l of levels) {
    if (l.summary.min < 0 || l.summary.max > 1) {
      throw new DataError(`${field} must be a fraction in [0, 1] (series '${l.series}', density ${l.density})`);
    }
  }
  return ticketSpec(rows, levels, ACCURACY_TITLE, 100, options);
}

/** Early-stop iteration vs percent of weights remaining, same layout as `accuracyPlot`. */
export function earlyStopPlot<R extends TicketRow>(rows: readonly R[], options: TicketPlotOptions<R>): TopLevelSpec {
  return ticketSpec(rows, summarizeTickets(rows, 'earlyStopStep' as NumericKey<R>), EARLY_STOP_TITLE, 1, options);
}

function ticketSpec<R extends TicketRow>(
  rows: readonly R[],
  levels: SeriesLevel[],
  yTitle: string,
  yScale: number,
  options: TicketPlotOptions<R>,
): TopLevelSpec {
  const spread = options.spread ?? 'minmax';
  const values = levels.map(({ series, density, summary }) => {
    const [lo, hi] = bounds(summary, spread);
    return {
      series,
      percent: density * 100,
      mean: summary.mean * yScale,
      lo: lo * yScale,
      hi: hi * yScale,
      n: summary.n,
    };
  });
  const percents = values.map((v) => v.percent);
  const y = (f: string) => ({
    field: f,
    type: 'quantitative' as const,
    title: yTitle,
    scale: { zero: false },
    axis: { format: yScale === 1 ? ',d' : '.1~f' },
  });
  const nRange = replicateRange(values.map((v) => v.n));
  const legend = {
    field: 'series',
    type: 'nominal' as const,
    scale: { domain: seriesOrder(rows) },
    title: `Mean; ${options.errorStyle === 'bars' ? 'bars' : 'band'}: ${spread === 'std' ? '±1 std' : 'min–max'} (${nRange})`,
    legend: LEGEND_STYLE,
  };
  const errorLayer =
    options.errorStyle === 'bars'
      ? {
          mark: { type: 'rule' as const, strokeWidth: 1.5 },
          encoding: { y: y('lo'), y2: { field: 'hi' }, color: legend },
        }
      : {
          mark: { type: 'area' as const, opacity: 0.18 },
          encoding: { y: y('lo'), y2: { field: 'hi' }, color: legend },
        };
  return {
    $schema: SCHEMA,
    title: options.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    encoding: { x: percentX(percents) },
    layer: [
      errorLayer,
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y: y('mean'), color: legend } },
      { mark: { type: 'point', filled: true, size: 36, opacity: 1 }, encoding: { y: y('mean'), color: legend } },
    ],
  };
}

function bounds(s: Summary, spread: Spread): [number, number] {
  return spread === 'std' ? [s.mean - s.std, s.mean + s.std] : [s.min, s.max];
}

function replicateRange(ns: number[]): string {
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `n=${lo}` : `n=${lo}–${hi}`;
}

/** Log-scaled, reversed percent axis: 100 on the left, sparser networks to the right, as in the paper. */
function percentX(percents: number[]) {
  const lo = Math.min(...percents);
  const hi = Math.max(...percents);
  return {
    field: 'percent',
    type: 'quantitative' as const,
    title: PERCENT_TITLE,
    // Explicit domain, not nice(): rounding out to powers of ten would waste most of the width.
    scale: {
      type: 'log' as const,
      reverse: true,
      domain: lo === hi ? [lo / 2, hi] : [lo, hi],
      nice: false,
      padding: 12,
    },
    axis: { values: logTicks(lo, hi, percents), format: '.3~r', grid: true },
  };
}

/** 1-2-5 ticks inside [lo, hi] (100, 50, 20, 10, 5, ...); the levels themselves when that gives too few. */
export function logTicks(lo: number, hi: number, levels: readonly number[] = []): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      // Round away float noise such as 0.30000000000000004 so labels stay clean.
      const t = Number((m * 10 ** e).toPrecision(6));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  if (ticks.length >= 3) return ticks.sort((a, b) => b - a);
  return [...new Set(levels)].sort((a, b) => b - a);
}

export interface LineChartOptions {
  rows: readonly Record<string, unknown>[];
  x: string;
  y: string;
  /** Field that splits rows into lines (e.g. pruning level); legend order follows first appearance. */
  color: string;
  /** Legend title; defaults to the `color` field name. */
  colorTitle?: string;
  title: string;
  xLog?: boolean;
  xTitle: string;
  yTitle: string;
  /** Include zero in the y domain; default false. */
  yZero?: boolean;
}

/** Lines with point markers, one per `color` value: e.g. test accuracy vs iteration for each pruning level. */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  if (o.rows.length === 0) throw new DataError(`no rows for line chart '${o.title}'`);
  for (const row of o.rows) {
    const [x, y] = [row[o.x], row[o.y]];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new DataError(`line chart '${o.title}': fields '${o.x}' and '${o.y}' must be finite numbers in every row`);
    }
    if (o.xLog && x <= 0) throw new DataError(`line chart '${o.title}': log x axis needs '${o.x}' > 0, got ${x}`);
  }
  const colors = [...new Set(o.rows.map((r) => String(r[o.color])))];
  return {
    $schema: SCHEMA,
    title: o.title,
    width: WIDTH,
    height: HEIGHT,
    // Stringify the color field so numeric levels are categories in first-appearance order.
    data: { values: o.rows.map((r) => ({ ...r, [o.color]: String(r[o.color]) })) },
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 25 } },
    encoding: {
      x: { field: o.x, type: 'quantitative', title: o.xTitle, scale: o.xLog ? { type: 'log' } : {} },
      y: { field: o.y, type: 'quantitative', title: o.yTitle, scale: { zero: o.yZero ?? false } },
      color: {
        field: o.color,
        type: 'nominal',
        title: o.colorTitle ?? o.color,
        scale: { domain: colors },
        legend: LEGEND_STYLE,
      },
    },
  };
}
