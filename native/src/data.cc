// Batch assembly: gathers rows of a uint8 dataset by index and converts them to normalized floats.
#include "tl.h"
#include <algorithm>

namespace tl {

// gatherU8(src:Uint8Array, indices:Int32Array, rowLen, n, scale, shift, out): out[i,:] = src[idx[i],:] * scale + shift
static Napi::Value GatherU8(const Napi::CallbackInfo& info) {
  Args a(info, "gatherU8");
  size_t srcLen;
  uint8_t* src = a.u8(0, &srcLen, "src");
  size_t rowLen = a.integer(2, "rowLen", 1), n = a.integer(3, "n");
  int32_t* idx = a.i32(1, n, "indices");
  float scale = a.number(4, "scale"), shift = a.number(5, "shift");
  float* out = a.f32(6, n * rowLen, "out");
  size_t rows = srcLen / rowLen;
  for (size_t i = 0; i < n; ++i)
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= rows) a.fail("row index out of range");
  // Rows are scattered over a dataset much larger than the caches and training has just evicted them: fetch a
  // few rows ahead so their misses overlap instead of being paid one row after another.
  constexpr size_t kAhead = 6;
  auto prefetchRow = [&](size_t i) {
    const char* r = reinterpret_cast<const char*>(src + static_cast<size_t>(idx[i]) * rowLen);
    for (size_t off = 0; off < rowLen; off += 64) __builtin_prefetch(r + off, 0, 0);
  };
  for (size_t i = 0; i < std::min(n, kAhead); ++i) prefetchRow(i);
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetchRow(i + kAhead);
    const uint8_t* s = src + static_cast<size_t>(idx[i]) * rowLen;
    float* o = out + i * rowLen;
    for (size_t j = 0; j < rowLen; ++j) o[j] = s[j] * scale + shift;
  }
  return info.Env().Undefined();
}

// kthSmallest(values, k) -> the k-th smallest value (1-based), partially reordering `values` in place:
// O(n) selection, where a full sort of tens of millions of pruning scores would take seconds.
static Napi::Value KthSmallest(const Napi::CallbackInfo& info) {
  Args a(info, "kthSmallest");
  size_t n;
  float* v = a.f32any(0, "values", &n);
  size_t k = a.integer(1, "k", 1);
  if (k > n) a.fail("k larger than the number of values");
  std::nth_element(v, v + (k - 1), v + n);
  return Napi::Number::New(info.Env(), v[k - 1]);
}

void registerData(Napi::Env env, Napi::Object exports) {
  exports.Set("gatherU8", Napi::Function::New(env, GatherU8));
  exports.Set("kthSmallest", Napi::Function::New(env, KthSmallest));
}

}  // namespace tl
