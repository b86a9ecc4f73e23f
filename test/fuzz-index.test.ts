// Property-based fuzzing of the SQLite run index: random runs and levels read back equal; a damaged file gives
// one clear UserError (with the advice to delete it) or well-formed rows. SQLite pages carry no checksum, so a
// flipped byte inside a stored value can change it unnoticed: those cases are counted as 'changed', not hidden.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { openIndex, INDEX_FILE, type LevelRow, type RunRow } from '../src/store/index-db.js';
import { UserError } from '../src/util/errors.js';
import {
  expectGood,
  fuzzParams,
  judge,
  mutate,
  mutationArb,
  tempDir,
  writeTallies,
  type Judgement,
} from './helpers/fuzz.js';

const tmp = tempDir('ticketlab-fuzz-index-');
after(() => {
  tmp.cleanup();
  writeTallies();
});

const num = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0); // SQLite REAL has no -0
const date = fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString());
const levelArb = fc.record({
  level: fc.nat(6),
  density: num,
  testAccuracy: fc.option(num, { nil: null }),
  bestTestAccuracy: fc.option(num, { nil: null }),
  earlyStopStep: fc.option(fc.nat(), { nil: null }),
  layerDensity: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), num, { maxKeys: 3, noNullPrototype: true }), {
    nil: null,
  }),
  data: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: null }),
});
const runArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 10 }),
  kind: fc.constantFrom('lottery', 'train', 'plant'),
  model: fc.string({ maxLength: 10 }),
  dir: fc.string({ maxLength: 20 }),
  // What JSON can hold (-0 is stored as 0), as hparams are.
  hparams: fc
    .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4, noNullPrototype: true })
    .map((h) => JSON.parse(JSON.stringify(h)) as Record<string, unknown>),
  createdAt: date,
  updatedAt: date,
  status: fc.constantFrom('running', 'done'),
  levels: fc.uniqueArray(levelArb, { maxLength: 3, selector: (l) => l.level }),
});
const contentArb = fc.uniqueArray(runArb, { minLength: 1, maxLength: 4, selector: (r) => r.id });
type Runs = typeof contentArb extends fc.Arbitrary<infer T> ? T : never;
type Content = { run: RunRow; levels: LevelRow[] }[];

/** Write runs into a fresh index; returns its root and what reading it should give (runs by id). */
function writeIndex(content: Runs): { root: string; want: Content } {
  const root = tmp.file('root');
  const idx = openIndex(root);
  for (const { levels, ...run } of content) {
    idx.upsertRun(run);
    for (const l of levels) idx.upsertLevel({ runId: run.id, ...l });
  }
  idx.close(); // the last connection checkpoints the WAL into the file and removes it
  const want = content
    .map(({ levels, ...run }) => ({
      run,
      levels: levels.map((l) => ({ runId: run.id, ...l })).sort((a, b) => a.level - b.level),
    }))
    .sort((a, b) => (a.run.id < b.run.id ? -1 : 1));
  return { root, want };
}

function readAll(root: string): Content {
  const idx = openIndex(root);
  try {
    return idx
      .listRuns()
      .map((run) => ({ run, levels: idx.levels(run.id) }))
      .sort((a, b) => (a.run.id < b.run.id ? -1 : 1));
  } finally {
    idx.close();
  }
}

const equal = (a: unknown, b: unknown): boolean => {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
};

describe('fuzz: SQLite run index', () => {
  test('random runs and levels read back equal', () => {
    fc.assert(
      fc.property(contentArb, (content) => {
        const { root, want } = writeIndex(content);
        assert.deepEqual(readAll(root), want);
      }),
      fuzzParams(25),
    );
  });

  test('a damaged file: one clear UserError, or well-formed rows', () => {
    fc.assert(
      fc.property(contentArb, mutationArb(100), (content, ms) => {
        const { root, want } = writeIndex(content);
        const file = path.join(root, INDEX_FILE);
        assert.equal(fs.existsSync(`${file}-wal`), false);
        fs.writeFileSync(file, mutate(fs.readFileSync(file), ms));
        let j: Judgement = judge(() => readAll(root), file, { valid: true, value: want }, equal);
        // Damage is a fine reason to refuse; other rows than were written are what a checksum-less page can give.
        if (j.outcome === 'false-reject') j = { ...j, outcome: 'clear' };
        if (j.outcome === 'wrong') j = { ...j, outcome: 'changed' };
        if (j.outcome === 'clear') assert.match(j.detail, /delete it|cannot be used/);
        expectGood('sqlite index', j, ['changed']);
      }),
      fuzzParams(150),
    );
  });

  test('a file that only starts like SQLite is one clear UserError', () => {
    const root = tmp.file('root');
    fs.mkdirSync(root);
    const file = path.join(root, INDEX_FILE);
    fs.writeFileSync(file, 'SQLite format 3\u0000' + 'x'.repeat(200));
    assert.throws(
      () => openIndex(root),
      (err: Error) => err instanceof UserError && err.message.startsWith(`run index ${file} is corrupt`),
    );
  });
});
