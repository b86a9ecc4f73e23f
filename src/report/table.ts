// Markdown tables for experiment reports.
import type { NumericKey, TicketRow } from './aggregate.js';
import { levelKey, seriesOrder, summarizeTickets } from './aggregate.js';
import { DataError } from '../util/errors.js';

export type Align = 'left' | 'right' | 'center';

/** A GitHub-flavoured markdown table; '|' in cells is escaped and newlines become spaces. */
export function markdownTable(headers: string[], rows: (string | number)[][], align: Align[] = []): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== headers.length) {
      throw new DataError(`table row ${i} has ${row.length} cells, expected ${headers.length}`);
    }
  }
  const cell = (v: string | number) => String(v).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const body = [headers.map(cell), ...rows.map((r) => r.map(cell))];
  // Pad to column width so the raw markdown also reads as a table.
  const widths = headers.map((_, c) => Math.max(3, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((v, c) => (align[c] === 'right' ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join(' | ')} |`;
  const rule = widths.map((w, c) => {
    const a = align[c];
    const dashes = '-'.repeat(a === 'center' ? w - 2 : a === 'left' || a === 'right' ? w - 1 : w);
    return a === 'center' ? `:${dashes}:` : a === 'left' ? `:${dashes}` : a === 'right' ? `${dashes}:` : dashes;
  });
  return [line(body[0]), `| ${rule.join(' | ')} |`, ...body.slice(1).map(line)].join('\n') + '\n';
}

/** Percent of weights remaining as the paper prints it: 100, 51.3, 7.0, 0.45, 0.046. */
export function formatPercent(density: number): string {
  const pct = density * 100;
  if (Math.abs(pct - 100) < 1e-9) return '100';
  return pct >= 1 ? pct.toFixed(1) : pct.toPrecision(2);
}

/** A mean over n replicates and its sample std, as every report prints them: "98.05 ± 0.12", or "98.05" alone. */
export function formatMeanStd(mean: number, std: number, n: number): string {
  return n > 1 ? `${mean.toFixed(2)} ± ${std.toFixed(2)}` : mean.toFixed(2);
}

/**
 * One row per sparsity level (dense first): "Pm (%)", then for each series its test accuracy
 * "mean ± std (n)" in percent (sample std; omitted when n = 1) and its mean early-stop iteration.
 */
export function ticketTable<R extends TicketRow>(rows: readonly R[], accuracyField?: NumericKey<R>): string {
  const acc = summarizeTickets(rows, accuracyField ?? ('testAccuracy' as NumericKey<R>));
  const stop = summarizeTickets(rows, 'earlyStopStep' as NumericKey<R>);
  const series = seriesOrder(rows);
  const accBy = new Map(acc.map((l) => [levelKey(l.series, l.density), l.summary]));
  const stopBy = new Map(stop.map((l) => [levelKey(l.series, l.density), l.summary]));
  const densities = [...new Map(acc.map((l) => [levelKey('', l.density), l.density])).values()].sort((a, b) => b - a);

  const headers = ['Pm (%)', ...series.flatMap((s) => [`${s} accuracy mean ± std (n)`, `${s} early stop mean`])];
  const body = densities.map((d) => [
    formatPercent(d),
    ...series.flatMap((s) => {
      const a = accBy.get(levelKey(s, d));
      const e = stopBy.get(levelKey(s, d));
      if (!a || !e) return ['—', '—']; // this series was not run at this level
      return [`${formatMeanStd(a.mean * 100, a.std * 100, a.n)} (${a.n})`, Math.round(e.mean).toString()];
    }),
  ]);
  return markdownTable(
    headers,
    body,
    headers.map(() => 'right' as const),
  );
}
