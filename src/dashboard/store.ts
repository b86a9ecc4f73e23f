// What the dashboard reads of a run root, for its API: pages of runs from the index, a run and its levels, an
// experiment's runs (every replicate and branch), a level's training curve and masks. A run is always found by its
// id in the index; a level's files by the directory the index recorded for it, which must lie inside the root.
import path from 'node:path';
import { z } from 'zod';
import { openIndex, type LevelRow, type RunIndex, type RunRow } from '../store/index-db.js';
import { readJson } from '../store/json.js';
import { loadSafetensors } from '../store/safetensors.js';
import { readProgress, type Progress } from '../store/progress-file.js';
import { DataError } from '../util/errors.js';
import { STUDY_VIEWS, studyView } from './studies/registry.js';
import type { StudyExperiment } from './studies/view.js';
import fs from 'node:fs';

/** An unknown run, level or layer: the API answers 404. */
export class NotFound extends Error {}

export interface RunsQuery {
  kind?: string;
  model?: string;
  status?: string;
  search?: string;
  hparam?: { key: string; value: string };
  page: number;
  perPage: number;
}

export interface MaskTensor {
  layer: string;
  shape: number[];
  data: Float32Array;
}

const curvePoint = z.object({
  step: z.number(),
  train_loss: z.number().nullable().optional(),
  val_loss: z.number().nullable().optional(),
  val_accuracy: z.number().nullable().optional(),
  test_loss: z.number().nullable().optional(),
  test_accuracy: z.number().nullable().optional(),
});
const levelResult = z.object({ curve: z.array(curvePoint) }).passthrough();

/** The API's view of a level row. */
function levelView(l: LevelRow) {
  const data = (l.data ?? {}) as Record<string, unknown>;
  return {
    level: l.level,
    density: l.density,
    test_accuracy: l.testAccuracy,
    best_test_accuracy: l.bestTestAccuracy,
    early_stop_step: l.earlyStopStep,
    early_stop_test_accuracy: typeof data.early_stop_test_accuracy === 'number' ? data.early_stop_test_accuracy : null,
    steps: typeof data.steps === 'number' ? data.steps : null,
    seconds: typeof data.seconds === 'number' ? data.seconds : null,
    layer_density: l.layerDensity,
  };
}

/** `lottery_<hash>/replicate_<r>/<branch>` → its parts; other ids have no replicate or branch. */
function idParts(id: string): { experiment: string; replicate: number | null; branch: string | null } {
  const [experiment, rep, branch] = id.split('/');
  const r = /^replicate_(\d+)$/.exec(rep ?? '');
  return { experiment: experiment!, replicate: r ? Number(r[1]) : null, branch: branch ?? null };
}

export class DashboardStore {
  private index: RunIndex | null = null;
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private db(): RunIndex {
    this.index ??= openIndex(this.root);
    return this.index;
  }

  close(): void {
    this.index?.close();
  }

  runs(q: RunsQuery) {
    const { total, runs } = this.db().pageRuns({
      kind: q.kind,
      model: q.model,
      status: q.status,
      search: q.search,
      hparam: q.hparam,
      offset: (q.page - 1) * q.perPage,
      limit: q.perPage,
    });
    return {
      total,
      page: q.page,
      per_page: q.perPage,
      facets: this.db().facets(),
      runs: runs.map((r) => {
        const levels = this.db().levels(r.id);
        const last = levels[levels.length - 1];
        return {
          ...this.runView(r),
          levels: levels.length,
          last_level: last ? levelView(last) : null,
        };
      }),
    };
  }

  private runView(r: RunRow) {
    return {
      id: r.id,
      kind: r.kind,
      model: r.model,
      status: r.status,
      created: r.createdAt,
      updated: r.updatedAt,
      hparams: r.hparams,
      ...idParts(r.id),
      progress: r.status === 'running' ? this.progressOf(r) : null,
    };
  }

  /** The progress file of a running run, when it is inside the root. */
  progressOf(r: RunRow): Progress | null {
    return this.inside(r.dir) ? readProgress(r.dir) : null;
  }

  /** Running runs (for live progress). */
  running(): RunRow[] {
    return this.db().pageRuns({ status: 'running', offset: 0, limit: 1000 }).runs;
  }

  private get(id: string): RunRow {
    const r = this.db().getRun(id);
    if (!r) throw new NotFound(`no run ${JSON.stringify(id)} in this root`);
    return r;
  }

  run(id: string) {
    const r = this.get(id);
    return { run: this.runView(r), levels: this.db().levels(id).map(levelView) };
  }

  /** Every run of the experiment `id` belongs to (all replicates and branches), with their levels. */
  experiment(id: string) {
    const { experiment } = idParts(this.get(id).id);
    return {
      experiment,
      runs: this.db()
        .runsUnder(`${experiment}/`)
        .map((r) => ({ ...this.runView(r), levels: this.db().levels(r.id).map(levelView) })),
    };
  }

  private levelDir(id: string, level: number): string {
    this.get(id);
    const row = this.db()
      .levels(id)
      .find((l) => l.level === level);
    if (!row) throw new NotFound(`run ${id} has no level ${level}`);
    const dir = (row.data as { dir?: unknown } | null)?.dir;
    if (typeof dir !== 'string' || !this.inside(dir))
      throw new NotFound(`run ${id} recorded no directory for level ${level} inside this root`);
    return dir;
  }

  private inside(dir: string): boolean {
    const rel = path.relative(this.root, path.resolve(dir));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  curve(id: string, level: number) {
    const r = readJson(path.join(this.levelDir(id, level), 'result.json'), levelResult);
    return { id, level, curve: r.curve };
  }

  private masks(id: string, level: number) {
    return loadSafetensors(path.join(this.levelDir(id, level), 'mask.safetensors'));
  }

  layers(id: string, level: number) {
    const st = this.masks(id, level);
    return {
      id,
      level,
      layers: Object.entries(st.tensors).map(([name, t]) => {
        const d = t.data as Float32Array;
        let kept = 0;
        for (let i = 0; i < d.length; i++) kept += d[i] !== 0 ? 1 : 0;
        return { name, shape: t.shape, density: d.length ? kept / d.length : 0 };
      }),
    };
  }

  /** The root's experiment directories of the study kinds the dashboard shows (`<kind>_<16 hex>`). */
  private experimentsOf(kind: string): StudyExperiment[] {
    const pattern = new RegExp(`^${kind}_[0-9a-f]{16}$`);
    return fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && pattern.test(e.name))
      .map((e) => ({ name: e.name, dir: path.join(this.root, e.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The study kinds present in the root, with their number of experiments. */
  studies() {
    return {
      studies: STUDY_VIEWS.map((v) => ({
        kind: v.kind,
        title: v.title,
        experiments: this.experimentsOf(v.kind).length,
      })).filter((s) => s.experiments > 0),
    };
  }

  study(kind: string) {
    const view = studyView(kind);
    if (!view) throw new NotFound(`no study page for ${JSON.stringify(kind)}`);
    const { rows, plots } = view.read(this.experimentsOf(kind));
    return { kind, title: view.title, columns: view.columns, rows, plots };
  }

  mask(id: string, level: number, layer: string): MaskTensor {
    const st = this.masks(id, level);
    if (!Object.hasOwn(st.tensors, layer)) throw new NotFound(`level ${level} of ${id} has no mask for ${layer}`);
    const t = st.tensors[layer]!;
    if (t.dtype !== 'F32') throw new DataError(`the mask of ${layer} is ${t.dtype}, not F32`);
    return { layer, shape: t.shape, data: t.data as Float32Array };
  }
}
