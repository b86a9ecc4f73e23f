#!/usr/bin/env bash
# Builds other copies of the native core and runs the engine tests on each, so what other machines get is tested too:
#  - without OpenBLAS (the portable GEMM) and without AVX (x86-64-v2), so the generic sparse and conv loops run;
#  - on a host with AVX-512, also an AVX2 + FMA build (x86-64-v3), so the 8-lane kernels are tested where the main
#    build runs the 16-lane ones (on an AVX2 host the main build already runs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# npm ships node-gyp; use that copy (the one `npm install` builds the addon with).
gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# Build against the same headers npm uses (npm's nodedir setting; node-gyp alone would try to download them).
nodedir=$(npm config get nodedir 2>/dev/null || true)
args=()
if [ -n "$nodedir" ] && [ "$nodedir" != "undefined" ] && [ "$nodedir" != "null" ]; then args+=(--nodedir="$nodedir"); fi

# test_build NAME MARCH NO_OPENBLAS EXPECTED_SIMD
test_build() {
  local build="$root/native-$1-build"
  rm -rf "$build"
  mkdir -p "$build"
  cp -r "$root/native/binding.gyp" "$root/native/detect-blas.cjs" "$root/native/src" "$build/"
  (cd "$build" && TICKETLAB_NO_OPENBLAS=$3 TICKETLAB_MARCH=$2 node "$gyp" rebuild "${args[@]}" >/dev/null)
  export TICKETLAB_NATIVE_PATH="$build/build/Release/ticketlab_native.node"
  node -e "
    const i = require('$root/native/index.cjs').info();
    if ('$3' && i.compiledWithOpenBLAS) { console.error('fallback build still links OpenBLAS'); process.exit(1) }
    if (i.simd !== '$4') { console.error('$1 build has kernels ' + i.simd + ', expected $4'); process.exit(1) }
    console.log('$1 core:', i.blasConfig, '/ kernels:', i.simd)"
  node --test dist/test/engine-grad.test.js dist/test/engine-transformer.test.js \
    dist/test/engine-transformer-kernels.test.js dist/test/gemm.test.js dist/test/nn.test.js \
    dist/test/nn-transformer.test.js dist/test/sparse.test.js dist/test/conv-kernels.test.js dist/test/data.test.js
  unset TICKETLAB_NATIVE_PATH
  rm -rf "$build"
}

if [ "$(uname -m)" = x86_64 ]; then
  test_build fallback x86-64-v2 1 none
  if grep -qw avx512f /proc/cpuinfo; then test_build avx2 x86-64-v3 "" avx2; fi
else
  test_build fallback native 1 none
fi
