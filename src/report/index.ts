// Plotting and tables for experiment reports.
export { renderSpec, writePlot, compileSpec, FONT_FAMILY, type RenderOptions, type RenderedPlot } from './render.js';
export {
  accuracyPlot,
  earlyStopPlot,
  lineChart,
  logTicks,
  PERCENT_TITLE,
  ACCURACY_TITLE,
  EARLY_STOP_TITLE,
  type Spread,
  type TicketPlotOptions,
  type LineChartOptions,
} from './ticket-plots.js';
export { markdownTable, ticketTable, formatPercent, type Align } from './table.js';
export { summarize, summarizeTickets, seriesOrder, type TicketRow, type Summary, type SeriesLevel, type NumericKey } from './aggregate.js';
