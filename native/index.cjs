'use strict';
// Loads the compiled addon. TICKETLAB_NATIVE_PATH points at another build (CI uses it for the fallback-only build).
const fs = require('node:fs');
const path = require('node:path');

// Debian's OpenBLAS 0.3.21 does not recognize recent Intel cores and falls back to its Prescott (SSE3) kernels,
// 3-4x slower than the AVX-512 ones (measured: 31 vs 140 GFLOPS at 512^3). OpenBLAS reads OPENBLAS_CORETYPE when
// it is loaded, so pick the kernel family from the CPU's flags before loading, unless the user chose one.
function chooseCoreType() {
  if (process.env.OPENBLAS_CORETYPE || process.env.TICKETLAB_NO_CORETYPE || process.platform !== 'linux') return;
  let flags = '';
  try {
    const m = /^flags\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    flags = m ? ` ${m[1]} ` : '';
  } catch {
    return;
  }
  const has = (f) => flags.includes(` ${f} `);
  let core = null;
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd'].every(has)) core = 'SkylakeX';
  else if (has('avx2') && has('fma')) core = 'Haswell';
  if (core) {
    process.env.OPENBLAS_CORETYPE = core;
    process.env.TICKETLAB_CORETYPE_CHOSEN = core;
  }
}
chooseCoreType();

const file = process.env.TICKETLAB_NATIVE_PATH || path.join(__dirname, 'build', 'Release', 'ticketlab_native.node');
let addon;
try {
  addon = require(file);
} catch (err) {
  const e = new Error(
    `ticketlab's native core is not built (${file}): run \`npm install\` (needs g++, make, python3; libopenblas-dev for speed). Cause: ${err.message}`,
  );
  e.code = 'TICKETLAB_NATIVE_MISSING';
  throw e;
}
module.exports = addon;
