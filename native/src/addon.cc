// Module entry: process-wide settings, then every exported function (bindings/exports.h).
#include <napi.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bindings/exports.h"
#include "kernels/backend.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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
  tl::setThreads(t ? std::max(1, std::atoi(t)) : 1);
  const char* g = std::getenv("TICKETLAB_GEMM");
  if (g && std::strcmp(g, "fallback") == 0) tl::gemmSetBackend(false);
  using namespace tl::binding;
  for (auto exportFamily :
       {exportControl, exportGemm, exportConv, exportDepthwise, exportPool, exportNorm, exportElementwise, exportLoss,
        exportOptim, exportData, exportSparse, exportSparseConv, exportTransformer, exportStats})
    exportFamily(env, exports);
  return exports;
}

NODE_API_MODULE(ticketlab_native, Init)
