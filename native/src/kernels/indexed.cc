// Gather, scatter and transpose kernels (indexed.h).
#include "kernels/indexed.h"

#include <algorithm>

#include "kernels/error.h"

namespace tl {

void gatherIndexed(const float* src, size_t srcLen, const int32_t* idx, float* dst, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (idx[k] < 0 || static_cast<size_t>(idx[k]) >= srcLen) throw InputError("index out of range");
    dst[k] = src[idx[k]];
  }
}

void scatterIndexed(const float* src, const int32_t* idx, float* dst, size_t dstLen, size_t n, bool acc) {
  for (size_t k = 0; k < n; ++k) {
    if (idx[k] < 0 || static_cast<size_t>(idx[k]) >= dstLen) throw InputError("index out of range");
    dst[idx[k]] = acc ? dst[idx[k]] + src[k] : src[k];
  }
}

void transpose(const float* src, float* dst, int rows, int cols) {
  const int B = 32;
  for (int i0 = 0; i0 < rows; i0 += B)
    for (int j0 = 0; j0 < cols; j0 += B)
      for (int i = i0; i < std::min(rows, i0 + B); ++i)
        for (int j = j0; j < std::min(cols, j0 + B); ++j)
          dst[static_cast<size_t>(j) * rows + i] = src[static_cast<size_t>(i) * cols + j];
}

}  // namespace tl
