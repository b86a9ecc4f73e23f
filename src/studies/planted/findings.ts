// The paper's findings (papers.md §3) as criteria, each judged on the committed data: one row per finding with the
// numbers it rests on and a verdict. The criteria are fixed before any run and stated on the page above the tables:
// a ticket works when its mean FAI reaches FAI_MIN (summary.ts); one pruner is better than another only when the
// difference of their means exceeds the combined standard errors (clearlyBetter).
import { DENSITIES, type DensityLabel, type Mode } from './grid.js';
import { FAI_MIN, clearlyBetter, formatScore, isClass, mean, score, type PlantedSummary } from './summary.js';
import type { TaskName } from './tasks.js';

export type FindingRow = [finding: string, numbers: string, verdict: string];

// Sparsest first: a weak ticket is reported at the sparsest moderate density where it works.
const MODERATE = ['0.1', '0.5'] as const;
const agreeText = (b: boolean | null) => (b === null ? 'not run' : b ? '**agrees**' : '**disagrees**');
const plain = (s: string) => s.replace(/\*/g, '');

/** '9.68e-5 (0.998)': a score with its FAI. */
export function withFai(s: PlantedSummary, t: TaskName, v: number): string {
  return Number.isFinite(v) ? `${formatScore(t, v)} (${s.fai(t, v).toFixed(3)})` : '—';
}

/** Weak tickets at moderate density: on relu and circle every method finds one, on helix none does. */
function weakTickets(s: PlantedSummary, t: TaskName): FindingRow {
  const pruners = s.data.study.pruners;
  const at = (p: string, d: DensityLabel) => s.cellScore(t, p, 'single', d);
  const weakAt = (p: string) => MODERATE.find((d) => s.works(t, at(p, d)));
  const found = pruners.filter((p) => weakAt(p) !== undefined);
  const strictOk = (v: number) => (isClass(t) ? v >= s.targetScore(t) - 0.02 : v <= 2 * s.targetScore(t));
  const strict = pruners.filter((p) => MODERATE.some((d) => strictOk(at(p, d))));
  const expectWeak = t !== 'helix';
  const agrees = (n: number) => agreeText(expectWeak ? n === pruners.length : n === 0);
  const dense = mean(s.denseScores(t));
  const numbers = pruners.map((p) => `${p} ${withFai(s, t, at(p, '0.5'))} / ${withFai(s, t, at(p, '0.1'))}`).join('; ');
  const weakList = found.length ? ` (${found.map((p) => `${p} down to ${weakAt(p)}`).join(', ')})` : '';
  const of = (list: readonly string[]) => `${list.length}/${pruners.length}`;
  const numbersText = [
    `single-shot at 0.5 / 0.1 (FAI): ${numbers}. Dense ${withFai(s, t, dense)}.`,
    `Weak tickets (FAI ≥ ${FAI_MIN}): ${of(found)}${weakList}.`,
    `Sensitivity: strict (within 2 pp / 2× MSE of the target network) at 0.5 or 0.1: ${of(strict)},`,
    `dense ${strictOk(dense) ? 'passes' : 'fails'} it`,
  ];
  const finding = expectWeak
    ? 'all methods (random too) find weak tickets at moderate density'
    : 'no method finds a weak ticket';
  return [
    `${t}: ${finding}`,
    numbersText.join(' '),
    `${agrees(found.length)} (${plain(agrees(strict.length))} by the strict test)`,
  ];
}

/** Single-shot at the planted density and at 0.01: every method fails, by layer collapse. */
function collapseAtPlanted(s: PlantedSummary): FindingRow {
  const pruners = s.data.study.pruners;
  const parts: string[] = [];
  let allCollapse = true;
  for (const t of s.tasks)
    for (const p of pruners) {
      const c = s.cell(t, p, 'single', 'planted').rows;
      const k = c.filter((r) => r.collapsed).length;
      if (c.length && k / c.length < 0.5) allCollapse = false;
      parts.push(`${t}/${p} ${k}/${c.length}`);
    }
  const at001 = s.tasks.map((t) => {
    const c = pruners.flatMap((p) => s.cell(t, p, 'single', '0.01').rows);
    return `${t} ${c.filter((r) => r.collapsed).length}/${c.length}`;
  });
  const judged = s.tasks
    .flatMap((t) => pruners.map((p) => ({ t, p, v: s.cellScore(t, p, 'single', 'planted') })))
    .filter((x) => Number.isFinite(s.fai(x.t, x.v)));
  const noneWorks = judged.every((x) => !s.works(x.t, x.v));
  const fais = judged.map((x) => `${x.t}/${x.p} ${s.fai(x.t, x.v).toFixed(2)}`).join(', ');
  const verdict = allCollapse
    ? '**agrees**'
    : noneWorks
      ? '**partly**: all fail, not all by collapse'
      : '**disagrees**';
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    'single-shot at the planted density (and ≤ 0.01): every method fails, by layer collapse',
    `collapsed repetitions at the planted density: ${parts.join(', ')}; at 0.01, all pruners: ${at001.join(', ')}. ` +
      `FAI at the planted density: ${fais}`,
    `${verdict} (no ticket works: ${yes(noneWorks)}; ` +
      `collapse in ≥ half the repetitions for every task × pruner: ${yes(allCollapse)})`,
  ];
}

/** Multishot magnitude / SNIP / SynFlow reach sparser tickets than single-shot. */
function multishotSparser(s: PlantedSummary): FindingRow {
  const trio = (['magnitude', 'snip', 'synflow'] as const).filter((p) => s.data.study.pruners.includes(p));
  // Index into DENSITIES of the sparsest density at which the ticket works; -1 if none.
  const sparsest = (t: TaskName, p: string, m: Mode) =>
    DENSITIES.reduce((k, d, i) => (s.works(t, s.cellScore(t, p, m, d)) ? i : k), -1);
  const name = (k: number) => (k < 0 ? 'none' : DENSITIES[k]!);
  let ok = trio.length > 0;
  const parts = trio.map((p) => {
    const per = s.tasks.map((t) => ({ t, s1: sparsest(t, p, 'single'), s2: sparsest(t, p, 'multi') }));
    if (!(per.every((x) => x.s2 >= x.s1) && per.some((x) => x.s2 > x.s1))) ok = false;
    return `${p}: ${per.map((x) => `${x.t} ${name(x.s1)} → ${name(x.s2)}`).join(', ')}`;
  });
  return [
    'multishot magnitude / SNIP / SynFlow reach much sparser tickets than single-shot',
    `sparsest density at which the ticket works, single-shot → multishot: ${parts.join('; ')}`,
    trio.length
      ? `${agreeText(ok)} (multishot never less sparse, and sparser on some task, for each of the three)`
      : 'not run',
  ];
}

/**
 * Multishot SynFlow is best at the sparsest densities; on circle it recovers a ticket at the planted density. Best =
 * clearly better than every other pruner at the planted density; recovers = works there.
 */
function synflowBest(s: PlantedSummary, t: TaskName): FindingRow {
  const values = (p: string, d: DensityLabel) => s.cell(t, p, 'multi', d).rows.map((r) => score(t, r.ticket_test));
  const ranks = (d: DensityLabel) =>
    s.data.study.pruners
      .map((p) => ({ p, v: s.cellScore(t, p, 'multi', d) }))
      .filter((x) => Number.isFinite(x.v))
      .sort((a, b) => (isClass(t) ? b.v - a.v : a.v - b.v));
  const rp = ranks('planted');
  const others = rp.filter((x) => x.p !== 'synflow');
  const synBest =
    rp.some((x) => x.p === 'synflow') &&
    others.every((x) => clearlyBetter(t, values('synflow', 'planted'), values(x.p, 'planted')));
  const recovers = s.works(t, s.cellScore(t, 'synflow', 'multi', 'planted'));
  const syn = s.cell(t, 'synflow', 'multi', 'planted').rows;
  const list = (r: typeof rp) => r.map((x) => `${x.p} ${withFai(s, t, x.v)}`).join(', ');
  const circle = t === 'circle';
  const collapsed = `${syn.filter((r) => r.collapsed).length}/${syn.length}`;
  const detail = ` (clearly best: ${synBest ? 'yes' : 'no'}${circle ? `; works at the planted density: ${recovers ? 'yes' : 'no'}` : ''})`;
  return [
    `${t}: multishot SynFlow is best at the sparsest densities${circle ? ', and recovers a ticket at the planted density' : ''}`,
    `multishot at the planted density (FAI): ${list(rp)}; at 0.01: ${list(ranks('0.01'))}. ` +
      `SynFlow multishot collapsed ${collapsed} at the planted density`,
    s.data.study.pruners.includes('synflow')
      ? `${agreeText(circle ? synBest && recovers : synBest)}${detail}`
      : 'not run',
  ];
}

/** Every finding in the page's order. */
export function paperFindings(s: PlantedSummary): FindingRow[] {
  return [
    ...s.tasks.map((t) => weakTickets(s, t)),
    collapseAtPlanted(s),
    multishotSparser(s),
    ...s.tasks.map((t) => synflowBest(s, t)),
  ];
}
