// Prints what binding.gyp needs to know about OpenBLAS: `node detect-blas.cjs use|cflags|libs`.
// TICKETLAB_NO_OPENBLAS=1 forces the portable fallback build (CI builds and tests it this way too).
'use strict';
const { execFileSync } = require('node:child_process');
const what = process.argv[2];
function pkg(args) {
  try {
    return execFileSync('pkg-config', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
const forcedOff = ['1', 'true', 'yes'].includes(String(process.env.TICKETLAB_NO_OPENBLAS || '').toLowerCase());
const found = !forcedOff && pkg(['--exists', 'openblas']) !== null;
if (what === 'use') process.stdout.write(found ? '1' : '0');
else if (what === 'cflags') process.stdout.write(found ? pkg(['--cflags', 'openblas']) : '');
else if (what === 'libs') process.stdout.write(found ? pkg(['--libs', 'openblas']) : '');
else {
  process.stderr.write('usage: detect-blas.cjs use|cflags|libs\n');
  process.exit(2);
}
