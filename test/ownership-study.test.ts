// The ownership study end to end at a toy size: one seed's line has every part the page needs, fits the data file's
// schema, renders the page with every placeholder filled, and a rerun trains nothing and reports the same; bad
// settings are one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fillTemplate } from '../src/report/page.js';
import { ownershipPageValues } from '../src/studies/ownership/page.js';
import { OWNERSHIP_STUDY_DEFAULTS } from '../src/studies/ownership/settings.js';
import {
  formatOwnershipData,
  parseOwnershipData,
  studyLineOf,
  type OwnershipSeedLine,
} from '../src/studies/ownership/study-data.js';
import { repoRoot, runCli } from './helpers/cli.js';

const toy = {
  levels: 2,
  steps: '120it',
  signLevel: 1,
  lockLevel: 2,
  amounts: [0.2],
  lockPaths: [5],
  lockScores: ['random' as const],
  triggers: 10,
};
const toyArgs = [
  ...['--levels', '2', '--steps', '120it', '--sign-level', '1', '--lock-level', '2', '--amounts', '0.2'],
  ...['--lock-paths', '5', '--lock-scores', 'random', '--triggers', '10'],
];

test('ownership-study: every part measured, page rendered, a rerun trains nothing and reports the same', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-own-study-'));
  try {
    const args = ['--json', 'ownership-study', ...toyArgs, '--root', root];
    const first = runCli(args);
    assert.equal(first.status, 0, first.stderr);
    const line = first.json<OwnershipSeedLine>();
    assert.equal(line.signed.layer, 'fc2.weight');
    assert.equal(line.signed.owner_decoded, true, 'the signed ticket decodes');
    assert.equal(line.unsigned.owner_decoded, false);
    assert.deepEqual(line.unsigned.decoded, []);
    assert.deepEqual(
      line.attacks.map((a) => a.kind),
      ['prune', 'random-prune', 'add', 'finetune', 'finetune-dense', 'forge'],
    );
    const finetune = line.attacks.find((a) => a.kind === 'finetune')!;
    assert.equal(finetune.owner_decoded, true, 'masked fine-tuning cannot change the mask');
    assert.equal(finetune.claim_mismatch_rate, 0);
    const forge = line.attacks.find((a) => a.kind === 'forge')!;
    assert.deepEqual([...forge.decoded].sort(), ['not the owner', 'ticketlab']);
    assert.equal(line.lock.results.length, 1);
    assert.equal(line.lock.results[0]!.unlocked_test_accuracy, line.lock.ticket_test_accuracy, 'the key restores');

    const settings = { ...OWNERSHIP_STUDY_DEFAULTS, ...toy };
    const text = formatOwnershipData({
      study: studyLineOf(settings, [1], 'npm run repro:ownership -- --seeds 1'),
      sessions: [],
      seeds: [line],
    });
    const data = parseOwnershipData(text);
    const template = fs.readFileSync(path.join(repoRoot, 'scripts', 'templates', 'ownership.md'), 'utf8');
    const page = fillTemplate(template, ownershipPageValues(data));
    assert.doesNotMatch(page, /\{\{/);
    assert.match(page, /SMOKE-TEST RUN/);

    const again = runCli(args);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.json(), line);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ownership-study: bad settings are one clear line', () => {
  for (const [args, message] of [
    [['--sign-level', '9', '--levels', '2'], /--sign-level must be a level in \[0, 2\]/],
    [['--amounts', '1.5'], /fractions of the kept weights in \(0, 1\)/],
    [['--lock-scores', 'psychic'], /unknown --lock-scores entry 'psychic'/],
    [['--forge-message', 'ticketlab'], /--forge-message must differ/],
  ] as const) {
    const r = runCli(['ownership-study', ...args]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});
