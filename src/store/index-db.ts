// SQLite index of runs and their pruning levels at `<root>/index.sqlite`, for fast listing and
// plotting. It is a cache: the run directories are the source of truth, so a damaged index is
// reported with the advice to delete it. WAL mode plus a busy timeout let several ticketlab
// processes (parallel runs sharing a root) write it at the same time.

import * as path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../util/errors.js';
import { ensureWritableDir } from './atomic.js';
import {
  corruptIndex,
  DELETE_ADVICE,
  LEVEL_COLUMNS,
  RUN_COLUMNS,
  toLevel,
  toRun,
  type LevelRow,
  type RunRow,
} from './index-rows.js';

export type { LevelRow, RunRow } from './index-rows.js';

export const INDEX_FILE = 'index.sqlite';
const SCHEMA_VERSION = 1;
/** How long a writer waits for another process's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

export interface RunQuery {
  kind?: string;
  model?: string;
  status?: string;
  search?: string;
  hparam?: { key: string; value: string };
  offset: number;
  limit: number;
}

/** Timestamps default to now; an existing run keeps its original createdAt. */
export type RunUpsert = Omit<RunRow, 'createdAt' | 'updatedAt'> & { createdAt?: string; updatedAt?: string };

/** Optional columns may be omitted; they are stored as NULL. Upserting a level replaces it entirely. */
export type LevelUpsert = Pick<LevelRow, 'runId' | 'level' | 'density'> &
  Partial<Omit<LevelRow, 'runId' | 'level' | 'density'>>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  model TEXT NOT NULL,
  dir TEXT NOT NULL,
  hparams TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_kind_model ON runs(kind, model);
CREATE TABLE IF NOT EXISTS levels (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  level INTEGER NOT NULL,
  density REAL NOT NULL,
  test_accuracy REAL,
  best_test_accuracy REAL,
  early_stop_step INTEGER,
  layer_density TEXT,
  data TEXT,
  PRIMARY KEY (run_id, level)
);
`;

export class RunIndex {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Open (creating if needed) the index of run root `root`. */
  static open(root: string): RunIndex {
    ensureWritableDir(root);
    const file = path.join(path.resolve(root), INDEX_FILE);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // durable enough for a rebuildable cache, and much faster
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      checkIntegrity(db, file);
      return new RunIndex(db, file);
    } catch (err) {
      db?.close();
      throw translate(err, file, true);
    }
  }

  upsertRun(run: RunUpsert): void {
    const now = new Date().toISOString();
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO runs (id, kind, model, dir, hparams, created_at, updated_at, status)
           VALUES (@id, @kind, @model, @dir, @hparams, @created_at, @updated_at, @status)
           ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, model = excluded.model, dir = excluded.dir,
             hparams = excluded.hparams, updated_at = excluded.updated_at, status = excluded.status`,
        )
        .run({
          id: run.id,
          kind: run.kind,
          model: run.model,
          dir: run.dir,
          hparams: JSON.stringify(run.hparams),
          created_at: run.createdAt ?? now,
          updated_at: run.updatedAt ?? now,
          status: run.status,
        }),
    );
  }

  /** The run must already exist (upsertRun first). */
  upsertLevel(level: LevelUpsert): void {
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO levels (run_id, level, density, test_accuracy, best_test_accuracy, early_stop_step, layer_density, data)
           VALUES (@run_id, @level, @density, @test_accuracy, @best_test_accuracy, @early_stop_step, @layer_density, @data)
           ON CONFLICT(run_id, level) DO UPDATE SET density = excluded.density, test_accuracy = excluded.test_accuracy,
             best_test_accuracy = excluded.best_test_accuracy, early_stop_step = excluded.early_stop_step,
             layer_density = excluded.layer_density, data = excluded.data`,
        )
        .run({
          run_id: level.runId,
          level: level.level,
          density: level.density,
          test_accuracy: level.testAccuracy ?? null,
          best_test_accuracy: level.bestTestAccuracy ?? null,
          early_stop_step: level.earlyStopStep ?? null,
          layer_density: json(level.layerDensity),
          data: json(level.data),
        }),
    );
  }

  getRun(id: string): RunRow | undefined {
    return this.guard(() => {
      const rec = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      return rec && toRun(rec, this.file);
    });
  }

  /** Runs, oldest first, optionally filtered by kind and/or model. */
  listRuns(filter: { kind?: string; model?: string } = {}): RunRow[] {
    return this.guard(() => {
      const recs = this.db
        .prepare(
          `SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@model IS NULL OR model = @model)
           ORDER BY created_at, id`,
        )
        .all({ kind: filter.kind ?? null, model: filter.model ?? null }) as Record<string, unknown>[];
      return recs.map((r) => toRun(r, this.file));
    });
  }

  /**
   * One page of runs, newest first, filtered by kind, model, status, a hyperparameter's value (flattened key, e.g.
   * `training.lr`, compared as JSON text) and an id substring; with the total count that matched.
   */
  pageRuns(q: RunQuery): { total: number; runs: RunRow[] } {
    return this.guard(() => {
      const where = `(@kind IS NULL OR kind = @kind) AND (@model IS NULL OR model = @model)
        AND (@status IS NULL OR status = @status) AND (@search IS NULL OR instr(id, @search) > 0)
        AND (@hpKey IS NULL OR CAST(json_extract(hparams, '$."' || @hpKey || '"') AS TEXT) = @hpValue)`;
      const params = {
        kind: q.kind ?? null,
        model: q.model ?? null,
        status: q.status ?? null,
        search: q.search ?? null,
        hpKey: q.hparam?.key ?? null,
        hpValue: q.hparam?.value ?? null,
      };
      const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE ${where}`).get(params) as { n: number }).n;
      const recs = this.db
        .prepare(`SELECT * FROM runs WHERE ${where} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit: q.limit, offset: q.offset }) as Record<string, unknown>[];
      return { total, runs: recs.map((r) => toRun(r, this.file)) };
    });
  }

  /** The distinct kinds, models and statuses of the index's runs, for filters. */
  facets(): { kinds: string[]; models: string[]; statuses: string[] } {
    return this.guard(() => {
      const distinct = (col: 'kind' | 'model' | 'status') =>
        (this.db.prepare(`SELECT DISTINCT ${col} AS v FROM runs ORDER BY v`).all() as { v: unknown }[])
          .map((r) => r.v)
          .filter((v): v is string => typeof v === 'string');
      return { kinds: distinct('kind'), models: distinct('model'), statuses: distinct('status') };
    });
  }

  /** Runs whose id starts with `prefix` (an experiment's runs: `lottery_<hash>/`). */
  runsUnder(prefix: string): RunRow[] {
    return this.guard(() => {
      const recs = this.db
        .prepare('SELECT * FROM runs WHERE substr(id, 1, length(@prefix)) = @prefix ORDER BY id')
        .all({ prefix }) as Record<string, unknown>[];
      return recs.map((r) => toRun(r, this.file));
    });
  }

  /** A run's levels in increasing level order. */
  levels(runId: string): LevelRow[] {
    return this.guard(() => {
      const recs = this.db.prepare('SELECT * FROM levels WHERE run_id = ? ORDER BY level').all(runId) as Record<
        string,
        unknown
      >[];
      return recs.map((r) => toLevel(r, this.file));
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translate(err, this.file);
    }
  }
}

/** Open (creating if needed) `<root>/index.sqlite`. */
export function openIndex(root: string): RunIndex {
  return RunIndex.open(root);
}

function migrate(db: Database.Database, file: string): void {
  // IMMEDIATE takes the write lock up front, so two processes creating a fresh index don't race.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new UserError(`run index ${file} was written by a newer ticketlab (schema ${version}); ${DELETE_ADVICE}`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * A damaged index must fail here, with advice, rather than later with an SQLite message or a wrong row:
 * quick_check reads every page (the index is small), and the tables must have the columns this version reads.
 */
function checkIntegrity(db: Database.Database, file: string): void {
  const problems = (db.pragma('quick_check(1)') as { quick_check: string }[]).map((r) => r.quick_check);
  if (problems[0] !== 'ok')
    throw corruptIndex(file, `quick_check: ${(problems[0] ?? 'no answer').replace(/\s+/g, ' ').slice(0, 100)}`);
  for (const [table, want] of [
    ['runs', RUN_COLUMNS],
    ['levels', LEVEL_COLUMNS],
  ] as const) {
    const have = (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
    if (have.join() !== want.join()) throw corruptIndex(file, `table ${table} has columns (${have.join(', ')})`);
  }
}

/**
 * SQLite failures the user can act on become one-line UserErrors; constraint violations etc. are bugs. While
 * opening, our statements are fixed, so any other SQLite error (e.g. a mangled schema) means a damaged file.
 */
function translate(err: unknown, file: string, opening = false): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const msg = (err as Error).message.replace(/\s+/g, ' ');
  if (/^SQLITE_(CANTOPEN|READONLY|IOERR|BUSY|LOCKED|FULL|PERM)/.test(code)) {
    return new UserError(`run index ${file} cannot be used: ${msg} (${code})`);
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT') || opening) return corruptIndex(file, msg);
  return err;
}
