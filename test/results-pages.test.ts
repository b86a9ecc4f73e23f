// The committed results pages are generated, never edited: rendering each page's template from its committed data
// file reproduces the committed Markdown byte for byte, and no page names a machine-local path. Markdown only (the
// figures are not re-rendered here; that is slow).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { localPathsIn } from '../src/report/page.js';
import { renderStudyPage, studyFiles, STUDY_PAGES, type StudyName } from '../src/studies/pages.js';
import { repoRoot } from './helpers/cli.js';

const resultsDir = path.join(repoRoot, 'docs', 'results');
const rel = (p: string) => path.relative(repoRoot, p);

test('every committed results page belongs to a study with a template', () => {
  const pages = fs.readdirSync(resultsDir).filter((f) => f.endsWith('.md'));
  for (const page of pages) {
    const name = page.replace(/\.md$/, '');
    assert.ok(Object.hasOwn(STUDY_PAGES, name), `docs/results/${page} has no entry in src/studies/pages.ts`);
    assert.ok(fs.existsSync(studyFiles(name as StudyName, repoRoot, resultsDir).template), `no template for ${page}`);
  }
});

for (const name of Object.keys(STUDY_PAGES) as StudyName[]) {
  const files = studyFiles(name, repoRoot, resultsDir);
  test(`docs/results/${name}.md is its template rendered from its committed data`, (t) => {
    if (!fs.existsSync(files.page)) return t.skip(`${rel(files.page)} is not committed`);
    if (!fs.existsSync(files.data))
      return t.skip(`${rel(files.data)} is not committed yet: the page is checked once its grid is rerun`);
    const committed = fs.readFileSync(files.page, 'utf8');
    assert.equal(renderStudyPage(name, files.template, files.data), committed, `${rel(files.page)} was edited by hand`);
  });
  test(`docs/results/${name}.md names no machine-local path`, (t) => {
    if (!fs.existsSync(files.page)) return t.skip(`${rel(files.page)} is not committed`);
    if (!fs.existsSync(files.data))
      return t.skip(`${rel(files.data)} is not committed yet: the page is regenerated when its grid is rerun`);
    assert.deepEqual(localPathsIn(fs.readFileSync(files.page, 'utf8')), []);
    assert.deepEqual(localPathsIn(fs.readFileSync(files.data, 'utf8')), [], `${rel(files.data)} names a local path`);
  });
}
