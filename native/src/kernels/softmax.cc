// Softmax kernels (softmax.h): max-shifted, exp vectorized (fastmath.h), sums in 16 lanes (lanes.h).
#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/fastmath.h"
#include "kernels/lanes.h"

namespace tl {

void softmaxRow(float* row, size_t D) {
  float mx = -std::numeric_limits<float>::infinity();
  for (size_t j = 0; j < D; ++j) mx = std::max(mx, row[j]);
  if (mx == -std::numeric_limits<float>::infinity()) {
    std::fill(row, row + D, 0.0f);
    return;
  }
  // exp(-inf - mx) clamps to exp(-88) = 0 (fastmath.h), so masked entries need no branch.
  for (size_t j = 0; j < D; ++j) row[j] = expApprox(row[j] - mx);
  const float inv = 1.0f / laneSum(D, [&](size_t j) { return row[j]; });
  for (size_t j = 0; j < D; ++j) row[j] *= inv;
}

double logSumShifted64(const float* x, size_t D) {
  const size_t top = std::max_element(x, x + D) - x;
  const double mx = x[top];
  double rest = 0;
  for (size_t j = 0; j < D; ++j)
    if (j != top) rest += std::exp(x[j] - mx);
  return std::log1p(rest);
}

void softmaxForward(const float* x, float* y, size_t rows, size_t D) {
  for (size_t r = 0; r < rows; ++r) {
    std::copy(x + r * D, x + (r + 1) * D, y + r * D);
    softmaxRow(y + r * D, D);
  }
}

void softmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t D) {
  for (size_t r = 0; r < rows; ++r) {
    const float *g = dy + r * D, *p = y + r * D;
    const float dot = laneSum(D, [&](size_t j) { return g[j] * p[j]; });
    float* d = dx + r * D;
    for (size_t j = 0; j < D; ++j) d[j] = p[j] * (g[j] - dot);
  }
}

void logSoftmaxForward(const float* x, float* y, size_t rows, size_t D, bool float64) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * D;
    float* yr = y + r * D;
    const float mx = *std::max_element(xr, xr + D);
    // (x - max) - log(sum), not x - (max + log(sum)): exact at the max, where a confident row's log p is tiny.
    if (float64) {
      const double logSum = logSumShifted64(xr, D);
      for (size_t j = 0; j < D; ++j) yr[j] = static_cast<float>((static_cast<double>(xr[j]) - mx) - logSum);
    } else {
      const float logSum = std::log(laneSum(D, [&](size_t j) { return expApprox(xr[j] - mx); }));
      for (size_t j = 0; j < D; ++j) yr[j] = (xr[j] - mx) - logSum;
    }
  }
}

void logSoftmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t D, bool float64) {
  for (size_t r = 0; r < rows; ++r) {
    const float *g = dy + r * D, *yr = y + r * D;
    float* d = dx + r * D;
    if (float64) {
      double s = 0;
      for (size_t j = 0; j < D; ++j) s += g[j];
      for (size_t j = 0; j < D; ++j) d[j] = static_cast<float>(g[j] - std::exp(static_cast<double>(yr[j])) * s);
    } else {
      const float s = laneSum(D, [&](size_t j) { return g[j]; });
      for (size_t j = 0; j < D; ++j) d[j] = g[j] - expApprox(yr[j]) * s;
    }
  }
}

}  // namespace tl
