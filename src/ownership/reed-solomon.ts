// Whether a Reed-Solomon block over GF(256) (QR's field, x⁸+x⁴+x³+x²+1, generator roots α⁰…) is within the
// correction radius: syndromes, Berlekamp-Massey, and a Chien search that must find every error position.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function div(a: number, b: number): number {
  return a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!;
}

// Verifying a ticket runs this on every candidate window of every layer, so the two inner loops work on logarithms
// (a product is one table lookup) rather than calling mul.

/** True when a decoder could correct `block` (first codeword = highest power) with `ecCount` EC codewords. */
export function correctable(block: Uint8Array, ecCount: number): boolean {
  const syn = new Uint8Array(ecCount);
  let clean = true;
  for (let j = 0; j < ecCount; j++) {
    // Horner's rule at α^j: s ← s·α^j ⊕ c
    let s = 0;
    for (let k = 0; k < block.length; k++) s = (s === 0 ? 0 : EXP[LOG[s]! + j]!) ^ block[k]!;
    syn[j] = s;
    if (s !== 0) clean = false;
  }
  if (clean) return true;
  // Berlekamp-Massey: the shortest error locator Λ generating the syndromes
  let lambda = [1];
  let prev = [1];
  let errors = 0;
  let shift = 1;
  let prevDisc = 1;
  for (let n = 0; n < ecCount; n++) {
    let d = syn[n]!;
    for (let i = 1; i <= errors; i++) d ^= mul(lambda[i] ?? 0, syn[n - i]!);
    if (d === 0) {
      shift++;
      continue;
    }
    const next = lambda.slice();
    const scale = div(d, prevDisc);
    for (let i = 0; i < prev.length; i++) next[i + shift] = (next[i + shift] ?? 0) ^ mul(scale, prev[i]!);
    if (2 * errors <= n) {
      prev = lambda;
      errors = n + 1 - errors;
      prevDisc = d;
      shift = 1;
    } else shift++;
    lambda = next;
  }
  if (2 * errors > ecCount) return false;
  // Chien search over the block's positions: a correctable pattern has all its roots there. Λ(α^−pos) is the XOR of
  // λ_i·α^(−pos·i), each one lookup at (log λ_i + i·(255 − pos)) mod 255.
  const logs: number[] = [];
  const powers: number[] = [];
  for (let i = 0; i < lambda.length; i++)
    if (lambda[i]) {
      logs.push(LOG[lambda[i]!]!);
      powers.push(i);
    }
  let roots = 0;
  for (let pos = 0; pos < block.length; pos++) {
    const xInv = (255 - pos) % 255;
    let v = 0;
    for (let t = 0; t < logs.length; t++) v ^= EXP[(logs[t]! + powers[t]! * xInv) % 255]!;
    if (v === 0) roots++;
  }
  return roots === errors;
}
