// Progressive pruning with reactivation (SuperTickets): the schedule, exact global magnitude masks, and the four
// reactivation modes on a case small enough to follow by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  globalMagnitudeMask,
  prunedFraction,
  pruningStep,
  RawWeights,
  type Reactivation,
} from '../src/supertickets/progressive.js';
import { ConfigError } from '../src/util/errors.js';

test('schedule: +0.1 every interval epochs, capped at the target; bad targets refused', () => {
  const got = Array.from({ length: 12 }, (_, e) => prunedFraction(e, 2, 0.45));
  const want = [0, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.45, 0.45, 0.45];
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-12, `epoch ${i}: ${g}`));
  assert.throws(() => prunedFraction(0, 2, 1), ConfigError);
  assert.throws(() => prunedFraction(0, 0, 0.5), ConfigError);
});

test('global magnitude: the exact count across tensors, ties by position', () => {
  const m = globalMagnitudeMask(
    new Map([
      ['a', Float32Array.of(0.1, -5, 0.3)],
      ['b', Float32Array.of(0.3, 2, -0.05)],
    ]),
    0.5,
  );
  assert.deepEqual([...m.get('a')!], [0, 1, 0]);
  assert.deepEqual([...m.get('b')!], [1, 1, 0]);
});

function twoSteps(mode: Reactivation) {
  const raw = new RawWeights();
  const w0 = new Map([['w', Float32Array.of(1, 2, 3, 4)]]);
  const first = pruningStep(w0, new Map([['w', Float32Array.of(1, 1, 1, 1)]]), 0.25, mode, raw);
  // Training shrinks weight 1 below the value weight 0 had when it was pruned.
  const trained = new Map([['w', Float32Array.of(mode === 'reset' ? 0.2 : 0, 0.5, 3, 4)]]);
  const second = pruningStep(trained, first.train, 0.25, mode, raw);
  return { first, second };
}

test('reactivation: none keeps a pruned weight out; implicit and fresh bring it back with its value; reset retrains all', () => {
  const none = twoSteps('none');
  assert.deepEqual([...none.first.apply.get('w')!], [0, 1, 1, 1]);
  assert.deepEqual([...none.second.apply.get('w')!], [0, 1, 1, 1]);
  assert.deepEqual([...none.second.values.get('w')!], [0, 0.5, 3, 4]);
  for (const mode of ['implicit', 'fresh'] as const) {
    const r = twoSteps(mode);
    assert.deepEqual([...r.second.apply.get('w')!], [1, 0, 1, 1], mode);
    assert.deepEqual([...r.second.values.get('w')!], [1, 0, 3, 4], `${mode}: weight 0 returns with the value it had`);
  }
  const reset = twoSteps('reset');
  assert.deepEqual([...reset.first.train.get('w')!], [1, 1, 1, 1], 'reset trains every weight on');
  assert.deepEqual([...reset.first.values.get('w')!], [0, 2, 3, 4], 'after zeroing the smallest');
  assert.deepEqual([...reset.second.apply.get('w')!], [0, 1, 1, 1], 'the regrown 0.2 is the smallest now');
});
