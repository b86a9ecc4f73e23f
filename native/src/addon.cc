// Module entry: registers every kernel family and the backend controls.
#include "tl.h"
#include <cstdlib>
#include <cstring>
#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tl {

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("gemm", gemmUsesBlas() ? "openblas" : "fallback");
  o.Set("compiledWithOpenBLAS", gemmCompiledWithBlas());
  o.Set("threads", getThreads());
  o.Set("blasConfig", blasConfig());
  return o;
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setThreads");
  setThreads(static_cast<int>(a.integer(0, "threads", 1)));
  return info.Env().Undefined();
}

static Napi::Value SetGemmBackend(const Napi::CallbackInfo& info) {
  Args a(info, "setGemmBackend");
  if (a.isNull(0) || !info[0].IsString()) a.fail("backend must be 'openblas' or 'fallback'");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name == "openblas") {
    if (!gemmCompiledWithBlas()) a.fail("this build has no OpenBLAS (install libopenblas-dev and reinstall)");
    gemmSetBackend(true);
  } else if (name == "fallback") {
    gemmSetBackend(false);
  } else {
    a.fail("backend must be 'openblas' or 'fallback', got '" + name + "'");
  }
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
#if defined(__GLIBC__)
  // Activations of conv nets are megabyte buffers allocated and freed every step. With glibc's defaults they are
  // mmapped and the heap is trimmed eagerly, so each step pays hundreds of thousands of fresh-page faults;
  // keeping them on the heap and not trimming it reuses the pages (measured: ~300K → ~47K faults per 25 steps).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
  // One thread unless told otherwise: small GEMMs do not scale, and parallelism pays across runs instead.
  const char* t = std::getenv("TICKETLAB_THREADS");
  setThreads(t ? std::max(1, std::atoi(t)) : 1);
  const char* g = std::getenv("TICKETLAB_GEMM");
  if (g && std::strcmp(g, "fallback") == 0) gemmSetBackend(false);
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setGemmBackend", Napi::Function::New(env, SetGemmBackend));
  registerGemm(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerNorm(env, exports);
  registerElementwise(env, exports);
  registerLoss(env, exports);
  registerOptim(env, exports);
  registerData(env, exports);
  registerSparse(env, exports);
  registerSparseConv(env, exports);
  return exports;
}

}  // namespace tl

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return tl::Init(env, exports); }
NODE_API_MODULE(ticketlab_native, InitAll)
