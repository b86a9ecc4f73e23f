// Layer normalization kernels (layernorm.h). The variance is taken around the mean (two passes), so float sums
// in 16 lanes keep full precision for any row length a transformer has.
#include "kernels/layernorm.h"

#include <algorithm>
#include <cmath>

#include "kernels/lanes.h"

namespace tl {

void layerNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                      size_t rows, size_t D, double eps) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * D;
    float* yr = y + r * D;
    const float m = laneSum(D, [&](size_t j) { return xr[j]; }) / static_cast<float>(D);
    const float ss = laneSum(D, [&](size_t j) { return (xr[j] - m) * (xr[j] - m); });
    const float is = static_cast<float>(1.0 / std::sqrt(static_cast<double>(ss) / D + eps));
    mean[r] = m;
    rstd[r] = is;
    for (size_t j = 0; j < D; ++j) {
      const float h = (xr[j] - m) * is;
      yr[j] = (gamma ? h * gamma[j] : h) + (beta ? beta[j] : 0.0f);
    }
  }
}

void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, size_t rows, size_t D, bool accGamma, bool accBeta) {
  if (dgamma && !accGamma) std::fill(dgamma, dgamma + D, 0.0f);
  if (dbeta && !accBeta) std::fill(dbeta, dbeta + D, 0.0f);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * D;
    const float* g = dy + r * D;
    const float m = mean[r], is = rstd[r];
    if (dgamma)
      for (size_t j = 0; j < D; ++j) dgamma[j] += g[j] * (xr[j] - m) * is;
    if (dbeta)
      for (size_t j = 0; j < D; ++j) dbeta[j] += g[j];
    if (!dx) continue;
    // dx = rstd * (dh - mean(dh) - h * mean(dh * h)) with h the normalized input and dh = dy * gamma.
    auto dh = [&](size_t j) { return gamma ? g[j] * gamma[j] : g[j]; };
    const float a = laneSum(D, dh) / static_cast<float>(D);
    const float b = laneSum(D, [&](size_t j) { return dh(j) * (xr[j] - m) * is; }) / static_cast<float>(D);
    float* dxr = dx + r * D;
    for (size_t j = 0; j < D; ++j) dxr[j] = is * (dh(j) - a - (xr[j] - m) * is * b);
  }
}

}  // namespace tl
