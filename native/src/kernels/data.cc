// Data kernels (data.h).
#include "kernels/data.h"

#include <algorithm>

#include "kernels/error.h"

namespace tl {

void gatherU8(const uint8_t* src, size_t srcLen, const int32_t* idx, size_t rowLen, size_t n, float scale, float shift,
              float* out) {
  size_t rows = srcLen / rowLen;
  for (size_t i = 0; i < n; ++i)
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= rows) throw InputError("row index out of range");
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
}

float kthSmallest(float* v, size_t n, size_t k) {
  std::nth_element(v, v + (k - 1), v + n);
  return v[k - 1];
}

}  // namespace tl
