// Elementwise ops and reductions that are too slow per element in JavaScript, plus embedding lookup.
#include "tl.h"
#include <algorithm>
#include <cstring>

namespace tl {

static size_t count(const Args& a, size_t i) { return static_cast<size_t>(a.integer(i, "n")); }

// reluForward(x, y, n)
static Napi::Value ReluForward(const Napi::CallbackInfo& info) {
  Args a(info, "reluForward");
  size_t n = count(a, 2);
  float* x = a.f32(0, n, "x");
  float* y = a.f32(1, n, "y");
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
  return info.Env().Undefined();
}

// reluBackward(dy, y, dx, n): dx = dy where y > 0
static Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  Args a(info, "reluBackward");
  size_t n = count(a, 3);
  float* dy = a.f32(0, n, "dy");
  float* y = a.f32(1, n, "y");
  float* dx = a.f32(2, n, "dx");
  for (size_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
  return info.Env().Undefined();
}

// add(a, b, out, n): out = a + b
static Napi::Value Add(const Napi::CallbackInfo& info) {
  Args a(info, "add");
  size_t n = count(a, 3);
  float* x = a.f32(0, n, "a");
  float* y = a.f32(1, n, "b");
  float* o = a.f32(2, n, "out");
  for (size_t i = 0; i < n; ++i) o[i] = x[i] + y[i];
  return info.Env().Undefined();
}

// axpy(alpha, x, y, n): y += alpha * x
static Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args a(info, "axpy");
  float alpha = a.number(0, "alpha");
  size_t n = count(a, 3);
  float* x = a.f32(1, n, "x");
  float* y = a.f32(2, n, "y");
  for (size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
  return info.Env().Undefined();
}

// mul(a, b, out, n): out = a * b
static Napi::Value Mul(const Napi::CallbackInfo& info) {
  Args a(info, "mul");
  size_t n = count(a, 3);
  float* x = a.f32(0, n, "a");
  float* y = a.f32(1, n, "b");
  float* o = a.f32(2, n, "out");
  for (size_t i = 0; i < n; ++i) o[i] = x[i] * y[i];
  return info.Env().Undefined();
}

// scale(x, alpha, out, n): out = alpha * x
static Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args a(info, "scale");
  size_t n = count(a, 3);
  float* x = a.f32(0, n, "x");
  float alpha = a.number(1, "alpha");
  float* o = a.f32(2, n, "out");
  for (size_t i = 0; i < n; ++i) o[i] = alpha * x[i];
  return info.Env().Undefined();
}

// sum(x, n) -> number (accumulated in double)
static Napi::Value Sum(const Napi::CallbackInfo& info) {
  Args a(info, "sum");
  size_t n = count(a, 1);
  float* x = a.f32(0, n, "x");
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += x[i];
  return Napi::Number::New(info.Env(), s);
}

// Counter-based generator: the same (seed, index) always gives the same uniform in [0, 1).
static inline float uniformAt(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

// dropoutForward(x, y, mask, n, p, seed): mask = keep / (1 - p), y = x * mask
static Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  Args a(info, "dropoutForward");
  size_t n = count(a, 3);
  float* x = a.f32(0, n, "x");
  float* y = a.f32(1, n, "y");
  float* m = a.f32(2, n, "mask");
  double p = a.number(4, "p");
  if (!(p >= 0 && p < 1)) a.fail("p must be in [0, 1)");
  uint64_t seed = static_cast<uint64_t>(a.number(5, "seed"));
  const float keepScale = static_cast<float>(1.0 / (1.0 - p));
  const float fp = static_cast<float>(p);
  for (size_t i = 0; i < n; ++i) {
    m[i] = uniformAt(seed, i) >= fp ? keepScale : 0.0f;
    y[i] = x[i] * m[i];
  }
  return info.Env().Undefined();
}

// embeddingForward(table[V,D], idx:Int32Array[n], out[n,D], V, D, n)
static Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward");
  size_t V = a.integer(3, "V", 1), D = a.integer(4, "D", 1), n = a.integer(5, "n");
  float* table = a.f32(0, V * D, "table");
  int32_t* idx = a.i32(1, n, "indices");
  float* out = a.f32(2, n * D, "out");
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= V)
      a.fail("index " + std::to_string(idx[i]) + " out of range [0, " + std::to_string(V) + ")");
    std::memcpy(out + i * D, table + static_cast<size_t>(idx[i]) * D, sizeof(float) * D);
  }
  return info.Env().Undefined();
}

// embeddingBackward(dout[n,D], idx, dtable[V,D], V, D, n, accumulate): scatter-add rows
static Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward");
  size_t V = a.integer(3, "V", 1), D = a.integer(4, "D", 1), n = a.integer(5, "n");
  bool acc = a.boolean(6, "accumulate");
  float* dout = a.f32(0, n * D, "dout");
  int32_t* idx = a.i32(1, n, "indices");
  float* dt = a.f32(2, V * D, "dtable");
  if (!acc) std::fill(dt, dt + V * D, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= V) a.fail("index out of range");
    float* row = dt + static_cast<size_t>(idx[i]) * D;
    const float* g = dout + i * D;
    for (size_t j = 0; j < D; ++j) row[j] += g[j];
  }
  return info.Env().Undefined();
}

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("reluForward", Napi::Function::New(env, ReluForward));
  exports.Set("reluBackward", Napi::Function::New(env, ReluBackward));
  exports.Set("add", Napi::Function::New(env, Add));
  exports.Set("axpy", Napi::Function::New(env, Axpy));
  exports.Set("mul", Napi::Function::New(env, Mul));
  exports.Set("scale", Napi::Function::New(env, Scale));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("dropoutForward", Napi::Function::New(env, DropoutForward));
  exports.Set("embeddingForward", Napi::Function::New(env, EmbeddingForward));
  exports.Set("embeddingBackward", Napi::Function::New(env, EmbeddingBackward));
}

}  // namespace tl
