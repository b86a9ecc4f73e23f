// The generated results pages: docs/results/<name>.md is scripts/templates/<name>.md filled with the values its
// study computes from the committed data file docs/results/<data>. One entry per study; the repro scripts and the
// test that checks the committed pages (test/results-pages.test.ts) both render through here.
import fs from 'node:fs';
import path from 'node:path';
import { fillTemplate, type PageValues } from '../report/page.js';
import { lenetPageValues } from './lenet/page.js';
import { parseLenetData } from './lenet/study-data.js';
import { grokPageValues } from './grokking/page.js';
import { parseGrokData } from './grokking/study-data.js';
import { plantedPageValues } from './planted/page.js';
import { ksPageValues } from './ks/page.js';
import { parseKsData } from './ks/study-data.js';
import { ltpPageValues } from './ltp/page.js';
import { parseLtpData } from './ltp/study-data.js';
import { parsePlantedData } from './planted/study-data.js';
import { ownershipPageValues } from './ownership/page.js';
import { parseOwnershipData } from './ownership/study-data.js';
import { superticketsPageValues } from './supertickets/page.js';
import { parseSuperTicketsData } from './supertickets/study-data.js';

export interface StudyPage {
  /** The data file, relative to the results directory. */
  data: string;
  values(dataText: string): PageValues;
}

export const STUDY_PAGES = {
  planted: { data: 'planted/results.jsonl', values: (text: string) => plantedPageValues(parsePlantedData(text)) },
  lenet: { data: 'lenet/results.jsonl', values: (text: string) => lenetPageValues(parseLenetData(text)) },
  grokking: { data: 'grokking/results.jsonl', values: (text: string) => grokPageValues(parseGrokData(text)) },
  'ks-lottery': { data: 'ks-lottery/results.jsonl', values: (text: string) => ksPageValues(parseKsData(text)) },
  ltp: { data: 'ltp/results.jsonl', values: (text: string) => ltpPageValues(parseLtpData(text)) },
  ownership: {
    data: 'ownership/results.jsonl',
    values: (text: string) => ownershipPageValues(parseOwnershipData(text)),
  },
  supertickets: {
    data: 'supertickets/results.jsonl',
    values: (text: string) => superticketsPageValues(parseSuperTicketsData(text)),
  },
} satisfies Record<string, StudyPage>;

export type StudyName = keyof typeof STUDY_PAGES;

/** Where a study's files are: its template under `repo`, its page and data under the results directory `out`. */
export function studyFiles(
  name: StudyName,
  repo: string,
  out: string,
): { template: string; page: string; data: string } {
  return {
    template: path.join(repo, 'scripts', 'templates', `${name}.md`),
    page: path.join(out, `${name}.md`),
    data: path.join(out, STUDY_PAGES[name].data),
  };
}

/** The page's Markdown from the template and data files. */
export function renderStudyPage(name: StudyName, templateFile: string, dataFile: string): string {
  return fillTemplate(
    fs.readFileSync(templateFile, 'utf8'),
    STUDY_PAGES[name].values(fs.readFileSync(dataFile, 'utf8')),
  );
}
