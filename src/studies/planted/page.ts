// The values of docs/results/planted.md (scripts/templates/planted.md holds the prose): every number on the page is
// computed here from the committed data file, nothing else; and the page's figures.
import path from 'node:path';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { formatDuration, sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { paperFindings, withFai } from './findings.js';
import { DENSITIES, MODES, MODE_NAME, type Mode } from './grid.js';
import { plantedFigures } from './plots.js';
import {
  bestRecoveryTable,
  layerRecallTable,
  magnitudesTable,
  recoveryByTaskTable,
  recoveryReadingValues,
} from './recovery.js';
import type { PlantedData } from './study-data.js';
import {
  FAI_MIN,
  formatPercents,
  formatScore,
  formatScores,
  mean,
  pctStr,
  score,
  scoreName,
  summarizePlanted,
  type PlantedSummary,
} from './summary.js';
import { PLANTING_VERSION } from './store.js';
import { TASK_NAMES, type TaskName } from './tasks.js';

/** Figures go to `<out>/planted/`, beside the data file; the page links them relative to itself. */
export const FIGURE_DIR = 'planted';

const repetitions = (n: number) => `${n} repetition${n > 1 ? 's' : ''}`;
const repsText = (r: Record<Mode, number>) => `${repetitions(r.single)} single-shot, ${r.multi} multishot`;

/** Warnings above the page: a quick smoke-test run, an incomplete grid. */
function banner(s: PlantedSummary): string {
  const { study, seeks } = s.data;
  const parts: string[] = [];
  if (study.planting < PLANTING_VERSION)
    parts.push(
      '> **⚠ DATA FROM THE CODE BEFORE THE FIDELITY FIXES.** These results were made before planting, scoring and\n' +
        '> pruning were aligned with the reference code: the old planting fallback (planted output weights several times\n' +
        '> smaller than the random ones), the old helix layout (122 edges) and circle slopes (20·2^c), plain MSE (no\n' +
        '> least-squares rescaling), biases never pruned, a pruning batch of 256 samples drawn with replacement, and\n' +
        `> ${repsText(study.reps)}. The setup and criteria below describe the current code; the rerun with it\n` +
        "> (`npm run repro:planted`) replaces this data. Read no verdict below as the current code's.",
    );
  if (study.quick)
    parts.push(
      `> **⚠ QUICK SMOKE-TEST RUN — NOT A REPRODUCTION.** ${repsText(study.reps)}, ` +
        `${study.epochs} training epochs instead of 10, ${study.rounds} multishot\n` +
        '> rounds instead of 10. The numbers below only show that the pipeline runs end to end; ' +
        'do not read findings into them.',
    );
  if (!s.complete) {
    const failed = seeks.filter((r) => r.failed).length;
    parts.push(
      `> **Incomplete:** ${seeks.length - failed} of ${s.expected} configurations recorded` +
        `${failed ? ` (${failed} failed)` : ''}; cells with\n` +
        `> fewer than ${repsText(study.reps)} repetitions say so in the n column.`,
    );
  }
  return parts.map((p) => `${p}\n\n`).join('');
}

function taskTable(s: PlantedSummary, t: TaskName): string {
  const { pruners } = s.data.study;
  const body: string[][] = [];
  for (const m of MODES)
    for (const p of pruners)
      for (const d of DENSITIES) {
        const c = s.cell(t, p, m, d);
        const n = c.rows.length;
        const reps = s.data.study.reps[m];
        const status = n + c.failed < reps ? ` (of ${reps}: incomplete)` : c.failed ? ` (+${c.failed} failed)` : '';
        body.push([
          MODE_NAME[m],
          p,
          d,
          n ? pctStr(mean(c.rows.map((r) => r.density))) : '—',
          formatScores(
            t,
            c.rows.map((r) => score(t, r.ticket_test)),
          ),
          formatPercents(c.rows.map((r) => r.recall)),
          formatPercents(c.rows.map((r) => r.precision)),
          formatPercents(c.rows.map((r) => r.jaccard)),
          n ? `${c.rows.filter((r) => r.collapsed).length}/${n}` : '—',
          `${n}${status}`,
        ]);
      }
  const header = [
    'mode',
    'pruner',
    'density',
    'kept (%)',
    `${scoreName(t)} mean ± std`,
    'recall (%)',
    'precision (%)',
    'Jaccard (%)',
    'collapse',
    'n',
  ];
  return markdownTable(header, body, [
    'left',
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]);
}

/** `<task>_…` values of one task's results section; placeholders say so when the task was not run. */
function taskValues(s: PlantedSummary, t: TaskName): PageValues {
  const ps = s.plants(t);
  const v: Record<string, string> = {};
  const set = (k: string, x: string) => (v[`${t}_${k}`] = x);
  if (!s.tasks.includes(t) || !ps.length) {
    for (const k of ['planted_density', 'layer_densities', 'target', 'planted_trained', 'dense']) set(k, '—');
    set('table', '(not run)\n');
    set('figures', '');
    return v;
  }
  const edges = ps.map((p) => p.planted_edges);
  set(
    'planted_density',
    `${pctStr(mean(ps.map((p) => p.density)))}% (${Math.min(...edges)}–${Math.max(...edges)} ` +
      `of ${ps[0]!.total_weights} weights over the ${ps.length} repetitions)`,
  );
  set(
    'layer_densities',
    Object.entries(ps[0]!.layer_densities)
      .map(([n, x]) => `${n} ${pctStr(x)}%`)
      .join(', '),
  );
  set(
    'target',
    formatScores(
      t,
      ps.map((p) => score(t, p.target_test)),
    ),
  );
  set('planted_trained', formatScores(t, s.plantedScores(t)));
  set('dense', formatScores(t, s.denseScores(t)));
  set('table', taskTable(s, t));
  set('figures', `\n![${t} score](${FIGURE_DIR}/${t}-score.png)\n\n![${t} recall](${FIGURE_DIR}/${t}-recall.png)\n`);
  return v;
}

function runtimeValues(s: PlantedSummary): PageValues {
  const { seeks, sessions } = s.data;
  const times = seeks.map((r) => Date.parse(r.finished_at)).sort((a, b) => a - b);
  const [first, last] = [times[0]!, times.at(-1)!];
  const when = (t: number) => new Date(t).toISOString();
  const span =
    times.length > 1
      ? `; first to last result ${formatDuration((last - first) / 1000)} (${when(first)} – ${when(last)})`
      : '';
  return {
    configurations: String(seeks.length),
    compute_time: formatDuration(seeks.reduce((a, r) => a + r.seconds, 0)),
    result_span: span,
    sessions: sessionsTable(sessions),
  };
}

function referenceTable(s: PlantedSummary): string {
  const rows = s.tasks.map((t) => [
    t,
    formatScore(t, s.trivialScore(t)),
    formatScore(t, s.targetScore(t)),
    withFai(s, t, mean(s.plantedScores(t))),
    withFai(s, t, mean(s.denseScores(t))),
  ]);
  return markdownTable(
    ['task', 'trivial predictor', 'target network', 'planted ticket trained (FAI)', 'dense trained (FAI)'],
    rows,
  );
}

/** Output scales of the planted networks per task: 'circle 1e-7…1e-5'. */
function outputScales(s: PlantedSummary): string {
  return s.tasks
    .map((t) => {
      const v = s.plants(t).flatMap((p) => p.output_scale.map(Math.abs));
      const [lo, hi] = [Math.min(...v), Math.max(...v)].map((x) => x.toExponential(0));
      return `${t} ${lo === hi ? lo : `${lo}…${hi}`}`;
    })
    .join(', ');
}

/** Every placeholder of scripts/templates/planted.md. */
export function plantedPageValues(data: PlantedData): PageValues {
  const s = summarizePlanted(data);
  const { study } = data;
  const figures = plantedFigures(s);
  const recoveryTask = s.tasks.includes('circle') ? 'circle' : s.tasks[0];
  return {
    banner: banner(s),
    command: study.command,
    tasks: s.tasks.join(', '),
    depth: String(study.depth),
    weight_matrices: String(study.depth - 1),
    width: String(study.width),
    prune_batch: String(study.prune_batch),
    pruners: study.pruners.join(', '),
    rounds: String(study.rounds),
    multishot_epochs: String(study.multishot_epochs),
    epochs: String(study.epochs),
    reps_single: String(study.reps.single),
    reps_multi: String(study.reps.multi),
    reps_text: repsText(study.reps),
    prune_bias: study.pruneBias
      ? "pruned with the weights, ranked together (the paper's setting); densities count weights and biases"
      : 'never pruned; densities count weights only',
    ...runtimeValues(s),
    ...Object.assign({}, ...TASK_NAMES.map((t) => taskValues(s, t))),
    figure_links: figures.map((f) => `[${f.name}](${FIGURE_DIR}/${f.name}.png)`).join(', '),
    fai_min: String(FAI_MIN),
    reference_table: referenceTable(s),
    findings_table: markdownTable(['paper finding', 'our numbers', 'verdict'], paperFindings(s)),
    output_scales: outputScales(s),
    recovery_table: bestRecoveryTable(s),
    layer_recall_table: layerRecallTable(s),
    recovery_figure: recoveryTask ? `![${recoveryTask} recovery](${FIGURE_DIR}/${recoveryTask}-jaccard.png)` : '',
    recovery_by_task: recoveryByTaskTable(s),
    magnitudes_table: magnitudesTable(s),
    ...recoveryReadingValues(s),
  };
}

/** Renders every figure (SVG + PNG) into `<out>/planted/`; returns their stems. */
export async function writePlantedFigures(data: PlantedData, out: string): Promise<string[]> {
  const figures = plantedFigures(summarizePlanted(data));
  for (const f of figures) await writePlot(path.join(out, FIGURE_DIR, f.name), f.spec);
  return figures.map((f) => f.name);
}
