// The Reed-Solomon correctability check (used on every candidate window when verifying a signature) against a plain
// implementation with a product function and Horner's rule: same answer on valid codewords with errors added and on
// random blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctable } from '../src/ownership/reed-solomon.js';
import { EC_PER_BLOCK, readBlocks } from '../src/ownership/codewords.js';
import { encodeQr } from '../src/ownership/qr.js';
import { Rng } from '../src/engine/rng.js';

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = EXP[i + 255] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const div = (a: number, b: number) => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!);

function plainCorrectable(block: Uint8Array, ec: number): boolean {
  const syn = Array.from({ length: ec }, (_, j) => block.reduce((s, c) => mul(s, EXP[j]!) ^ c, 0));
  if (syn.every((s) => s === 0)) return true;
  let lambda = [1];
  let prev = [1];
  let errors = 0;
  let shift = 1;
  let prevDisc = 1;
  for (let n = 0; n < ec; n++) {
    let d = syn[n]!;
    for (let i = 1; i <= errors; i++) d ^= mul(lambda[i] ?? 0, syn[n - i]!);
    if (d === 0) {
      shift++;
      continue;
    }
    const next = lambda.slice();
    for (let i = 0; i < prev.length; i++) next[i + shift] = (next[i + shift] ?? 0) ^ mul(div(d, prevDisc), prev[i]!);
    if (2 * errors <= n) {
      [prev, errors, prevDisc, shift] = [lambda, n + 1 - errors, d, 1];
    } else shift++;
    lambda = next;
  }
  if (2 * errors > ec) return false;
  let roots = 0;
  for (let pos = 0; pos < block.length; pos++) {
    let v = 0;
    for (let i = lambda.length - 1; i >= 0; i--) v = mul(v, EXP[(255 - pos) % 255]!) ^ (lambda[i] ?? 0);
    if (v === 0) roots++;
  }
  return roots === errors;
}

test('Reed-Solomon correctability matches a plain implementation', () => {
  const rng = Rng.stream(3, 'rs-test');
  const valid = readBlocks(encodeQr('ticketlab owner 2021', 2), 2);
  let agreedTrue = 0;
  for (let trial = 0; trial < 400; trial++) {
    const block = valid[trial % valid.length]!.slice();
    const errors = trial % 16; // up to 11 are within the radius of 22 EC codewords, more mostly are not
    for (let e = 0; e < errors; e++)
      block[Math.floor(rng.uniform() * block.length)] ^= 1 + Math.floor(rng.uniform() * 255);
    const want = plainCorrectable(block, EC_PER_BLOCK);
    assert.equal(correctable(block, EC_PER_BLOCK), want, `trial ${trial}, ${errors} errors`);
    if (errors <= 11) assert.ok(want, `${errors} errors are within the correction radius`);
    if (want) agreedTrue++;
  }
  for (let trial = 0; trial < 400; trial++) {
    const block = Uint8Array.from({ length: valid[0]!.length }, () => Math.floor(rng.uniform() * 256));
    assert.equal(correctable(block, EC_PER_BLOCK), plainCorrectable(block, EC_PER_BLOCK), `random block ${trial}`);
  }
  assert.ok(agreedTrue > 250);
});
