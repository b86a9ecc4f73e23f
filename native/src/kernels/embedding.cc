// Embedding kernels (embedding.h).
#include "kernels/embedding.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "kernels/error.h"

namespace tl {

void embeddingForward(const float* table, const int32_t* idx, float* out, size_t V, size_t D, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= V)
      throw InputError("index " + std::to_string(idx[i]) + " out of range [0, " + std::to_string(V) + ")");
    std::memcpy(out + i * D, table + static_cast<size_t>(idx[i]) * D, sizeof(float) * D);
  }
}

void embeddingBackward(const float* dout, const int32_t* idx, float* dt, size_t V, size_t D, size_t n, bool acc) {
  if (!acc) std::fill(dt, dt + V * D, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= V) throw InputError("index out of range");
    float* row = dt + static_cast<size_t>(idx[i]) * D;
    const float* g = dout + i * D;
    for (size_t j = 0; j < D; ++j) row[j] += g[j];
  }
}

void embeddingClearRows(float* dt, const int32_t* rows, size_t V, size_t D, size_t nRows) {
  for (size_t k = 0; k < nRows; ++k) {
    if (rows[k] < 0 || static_cast<size_t>(rows[k]) >= V) throw InputError("row out of range");
    std::fill(dt + static_cast<size_t>(rows[k]) * D, dt + static_cast<size_t>(rows[k] + 1) * D, 0.0f);
  }
}

}  // namespace tl
