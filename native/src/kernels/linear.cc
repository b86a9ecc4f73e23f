// Fully connected layer (linear.h) on top of gemm().
#include "kernels/linear.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "kernels/gemm.h"

namespace tl {

void linearForward(const float* x, const float* w, const float* b, float* y, int N, int In, int Out) {
  if (b) {
    for (int i = 0; i < N; ++i) std::memcpy(y + static_cast<size_t>(i) * Out, b, sizeof(float) * Out);
    gemm(false, true, N, Out, In, 1.0f, x, w, 1.0f, y);
  } else {
    gemm(false, true, N, Out, In, 1.0f, x, w, 0.0f, y);
  }
}

void linearBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int N, int In,
                    int Out, bool accumulate) {
  if (dx) gemm(false, false, N, In, Out, 1.0f, dy, w, 0.0f, dx);
  if (dw) gemm(true, false, Out, In, N, 1.0f, dy, x, accumulate ? 1.0f : 0.0f, dw);
  if (db) {
    if (!accumulate) std::fill(db, db + Out, 0.0f);
    for (int i = 0; i < N; ++i) {
      const float* r = dy + static_cast<size_t>(i) * Out;
      for (int j = 0; j < Out; ++j) db[j] += r[j];
    }
  }
}

}  // namespace tl
