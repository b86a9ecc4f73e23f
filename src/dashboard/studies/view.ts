// A study's page in the dashboard: what it reads of its experiment directories (`<kind>_<hash>/` under the root)
// and what it shows: a table of rows and Vega-Lite plots, rendered by the page like any other. A new study kind adds
// one file here and an entry in registry.ts; the server and the page need nothing new.
import type { TopLevelSpec } from 'vega-lite';

export type CellFormat = 'text' | 'int' | 'pct' | 'mega' | 'num';

export interface StudyColumn {
  key: string;
  title: string;
  format: CellFormat;
}

/** One row of a study's table; `error` when its files could not be read (the page shows it, the rest still works). */
export type StudyRow = Record<string, string | number | boolean | null> & { experiment: string; error?: string };

export interface StudyExperiment {
  /** `<kind>_<hash>`. */
  name: string;
  dir: string;
}

export interface StudyView {
  kind: string;
  title: string;
  columns: StudyColumn[];
  /** The rows and plots of every experiment of this kind in the root. */
  read(experiments: StudyExperiment[]): { rows: StudyRow[]; plots: { title: string; spec: TopLevelSpec }[] };
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
