// Bindings of the backend controls: what the build has and which GEMM and how many threads the kernels use.
#include <napi.h>

#include <string>

#include "bindings/binder.h"
#include "bindings/exports.h"
#include "kernels/backend.h"
#include "kernels/peak.h"
#include "kernels/simd.h"

namespace tl::binding {
namespace {

const Binding kControl[] = {
    // info() -> { gemm, compiledWithOpenBLAS, threads, blasConfig, simd }
    {"info",
     [](const Call& c) -> napi_value {
       Napi::Object o = Napi::Object::New(c.env());
       o.Set("gemm", gemmUsesBlas() ? "openblas" : "fallback");
       o.Set("compiledWithOpenBLAS", gemmCompiledWithBlas());
       o.Set("threads", getThreads());
       o.Set("blasConfig", blasConfig());
       // The vector width the hand-written kernels were built for: 'avx512', 'avx2' or 'none' (generic loops).
       o.Set("simd", TL_VEC_LANES == 16 ? "avx512" : TL_VEC_LANES == 8 ? "avx2" : "none");
       return o;
     }},
    // fmaPeakGflops() -> one core's vector FMA throughput in GFLOPS (0 without vector kernels); takes ~50 ms
    {"fmaPeakGflops", [](const Call& c) { return c.run(fmaPeakGflops); }},
    // setThreads(threads)
    {"setThreads", [](const Call& c) { return c.run(setThreads, c.integer(0, "threads", 1)); }},
    // setGemmBackend('openblas' | 'fallback')
    {"setGemmBackend",
     [](const Call& c) -> napi_value {
       std::string name;
       if (!c.string(0, &name)) c.fail("backend must be 'openblas' or 'fallback'");
       if (name == "openblas") {
         if (!gemmCompiledWithBlas()) c.fail("this build has no OpenBLAS (install libopenblas-dev and reinstall)");
         gemmSetBackend(true);
       } else if (name == "fallback") {
         gemmSetBackend(false);
       } else {
         c.fail("backend must be 'openblas' or 'fallback', got '" + name + "'");
       }
       return nullptr;
     }},
};

}  // namespace

void exportControl(napi_env env, napi_value exports) { exportBindings(env, exports, kControl); }

}  // namespace tl::binding
