// The SuperTickets page's equal-FLOPs comparison: a baseline's accuracy at a given MAC count, interpolated linearly
// in log MACs along its trade-off curve, and no answer outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyAtMacs } from '../src/studies/supertickets/page.js';

test('accuracy at equal MACs: log-linear interpolation inside the curve, null outside', () => {
  const curve = [
    { macs: 4e5, acc: 0.9 },
    { macs: 1e5, acc: 0.5 },
    { macs: 2e5, acc: 0.8 },
  ];
  assert.equal(accuracyAtMacs(curve, 1e5), 0.5);
  assert.equal(accuracyAtMacs(curve, 4e5), 0.9);
  assert.ok(Math.abs(accuracyAtMacs(curve, Math.sqrt(1e5 * 2e5))! - 0.65) < 1e-12, 'halfway in log MACs');
  assert.ok(Math.abs(accuracyAtMacs(curve, 2e5)! - 0.8) < 1e-12);
  assert.equal(accuracyAtMacs(curve, 9e4), null);
  assert.equal(accuracyAtMacs(curve, 5e5), null);
  assert.equal(accuracyAtMacs([], 1), null);
});
