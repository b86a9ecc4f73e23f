// Shared declarations of ticketlab's native core: argument checking helpers and kernel prototypes.
// Layouts are row-major; images are NCHW. Every exported function validates array lengths against the
// dimensions it is given, so a shape bug in TypeScript becomes a RangeError, never memory corruption.
#pragma once
#include <napi.h>
#include <cstddef>
#include <cstdint>
#include <string>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace tl {

// Subnormal floats (below 1.2e-38) cost ~100 cycles per operation on x86. Training produces them: Adam's second
// moment of a gradient of 1e-20 is 1e-43. Kernels run with flush-to-zero and denormals-are-zero, as PyTorch's
// fast paths and most BLAS kernels effectively do; the caller's mode is restored on return, so V8's own double
// arithmetic on this thread keeps IEEE subnormals.
struct FlushDenormals {
#if defined(__SSE__)
  unsigned saved = _mm_getcsr();
  FlushDenormals() { _mm_setcsr(saved | 0x8040); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushDenormals() { _mm_setcsr(saved); }
#endif
};

struct Args {
  const Napi::CallbackInfo& info;
  const char* fn;
  FlushDenormals flush;  // for the whole native call: every kernel entry point builds an Args first
  explicit Args(const Napi::CallbackInfo& i, const char* name) : info(i), fn(name) {}
  Napi::Env env() const { return info.Env(); }
  [[noreturn]] void fail(const std::string& msg) const {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + msg);
  }
  bool isNull(size_t i) const { return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined(); }
  // A Float32Array argument of at least `need` elements (nullptr when null/undefined and optional).
  float* f32(size_t i, size_t need, const char* name, bool optional = false) const {
    if (isNull(i)) {
      if (optional) return nullptr;
      fail(std::string(name) + " is required");
    }
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      fail(std::string(name) + " must be a Float32Array");
    auto a = info[i].As<Napi::Float32Array>();
    if (a.ElementLength() < need)
      fail(std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, needs " + std::to_string(need));
    return a.Data();
  }
  // A Float32Array of any length; its length goes to *len.
  float* f32any(size_t i, const char* name, size_t* len) const {
    float* p = f32(i, 0, name);
    *len = info[i].As<Napi::Float32Array>().ElementLength();
    return p;
  }
  int32_t* i32(size_t i, size_t need, const char* name) const {
    if (isNull(i) || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      fail(std::string(name) + " must be an Int32Array");
    auto a = info[i].As<Napi::Int32Array>();
    if (a.ElementLength() < need)
      fail(std::string(name) + " has " + std::to_string(a.ElementLength()) + " elements, needs " + std::to_string(need));
    return a.Data();
  }
  uint8_t* u8(size_t i, size_t* len, const char* name) const {
    if (isNull(i) || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      fail(std::string(name) + " must be a Uint8Array");
    auto a = info[i].As<Napi::Uint8Array>();
    *len = a.ElementLength();
    return a.Data();
  }
  int64_t integer(size_t i, const char* name, int64_t min = 0) const {
    if (i >= info.Length() || !info[i].IsNumber()) fail(std::string(name) + " must be a number");
    double d = info[i].As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) fail(std::string(name) + " must be an integer");
    if (d < static_cast<double>(min)) fail(std::string(name) + " must be >= " + std::to_string(min));
    return static_cast<int64_t>(d);
  }
  double number(size_t i, const char* name) const {
    if (i >= info.Length() || !info[i].IsNumber()) fail(std::string(name) + " must be a number");
    return info[i].As<Napi::Number>().DoubleValue();
  }
  bool boolean(size_t i, const char* name) const {
    if (i >= info.Length() || !info[i].IsBoolean()) fail(std::string(name) + " must be a boolean");
    return info[i].As<Napi::Boolean>().Value();
  }
};

// Sum of n floats in 16 vectorizable partial sums, totalled in double (conv.cc).
double sumPlane(const float* r, int n);

// ---- GEMM: C[M,N] = alpha * op(A) * op(B) + beta * C, row-major, no padding between rows.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C);
bool gemmUsesBlas();
void gemmSetBackend(bool useBlas);  // ignored (stays fallback) when built without OpenBLAS
bool gemmCompiledWithBlas();
void setThreads(int n);
int getThreads();
std::string blasConfig();

// ---- registration hooks, one per source file
void registerGemm(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerNorm(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerLoss(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerData(Napi::Env env, Napi::Object exports);
void registerSparse(Napi::Env env, Napi::Object exports);
void registerSparseConv(Napi::Env env, Napi::Object exports);

}  // namespace tl
