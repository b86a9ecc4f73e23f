#!/usr/bin/env bash
# Builds a second copy of the native core without OpenBLAS (the portable GEMM) and without AVX-512 (x86-64-v3:
# AVX2 + FMA, so the generic sparse and conv loops run instead of the AVX-512 kernels) and runs the engine tests
# on it, so what machines without libopenblas-dev or without AVX-512 get is tested too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/native-fallback-build"
rm -rf "$build"
mkdir -p "$build"
cp -r "$root/native/binding.gyp" "$root/native/detect-blas.cjs" "$root/native/src" "$build/"
# npm ships node-gyp; use that copy (the one `npm install` builds the addon with).
gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# Build against the same headers npm uses (npm's nodedir setting; node-gyp alone would try to download them).
nodedir=$(npm config get nodedir 2>/dev/null || true)
args=()
if [ -n "$nodedir" ] && [ "$nodedir" != "undefined" ] && [ "$nodedir" != "null" ]; then args+=(--nodedir="$nodedir"); fi
march=native
if [ "$(uname -m)" = x86_64 ]; then march=x86-64-v3; fi
(cd "$build" && TICKETLAB_NO_OPENBLAS=1 TICKETLAB_MARCH=$march node "$gyp" rebuild "${args[@]}" >/dev/null)
export TICKETLAB_NATIVE_PATH="$build/build/Release/ticketlab_native.node"
node -e "const n=require('$root/native/index.cjs'); const i=n.info(); if (i.compiledWithOpenBLAS) { console.error('fallback build still links OpenBLAS'); process.exit(1) } console.log('fallback core:', i.blasConfig)"
node --test dist/test/engine-grad.test.js dist/test/engine-transformer.test.js \
  dist/test/engine-transformer-kernels.test.js dist/test/gemm.test.js dist/test/nn.test.js \
  dist/test/nn-transformer.test.js dist/test/sparse.test.js dist/test/conv-kernels.test.js
rm -rf "$build"
