// Loss kernels (loss.h).
#include "kernels/loss.h"

#include <cmath>
#include <string>

#include "kernels/error.h"

namespace tl {

double softmaxCrossEntropyForward(const float* z, const int32_t* y, float* p, size_t N, size_t C) {
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    if (y[i] < 0 || static_cast<size_t>(y[i]) >= C)
      throw InputError("label " + std::to_string(y[i]) + " out of range [0, " + std::to_string(C) + ")");
    const float* zi = z + i * C;
    float* pi = p + i * C;
    float mx = zi[0];
    for (size_t j = 1; j < C; ++j) mx = zi[j] > mx ? zi[j] : mx;
    double s = 0;
    for (size_t j = 0; j < C; ++j) {
      float e = std::exp(zi[j] - mx);
      pi[j] = e;
      s += e;
    }
    float inv = static_cast<float>(1.0 / s);
    for (size_t j = 0; j < C; ++j) pi[j] *= inv;
    total += std::log(s) + mx - zi[y[i]];
  }
  return total / N;
}

void softmaxCrossEntropyBackward(const float* p, const int32_t* y, float* dz, size_t N, size_t C, double gradOut) {
  const float g = static_cast<float>(gradOut / N);
  for (size_t i = 0; i < N; ++i) {
    if (y[i] < 0 || static_cast<size_t>(y[i]) >= C)
      throw InputError("label " + std::to_string(y[i]) + " out of range [0, " + std::to_string(C) + ")");
    for (size_t j = 0; j < C; ++j) dz[i * C + j] = p[i * C + j] * g;
    dz[i * C + y[i]] -= g;
  }
}

size_t countCorrect(const float* z, const int32_t* y, size_t N, size_t C) {
  size_t correct = 0;
  for (size_t i = 0; i < N; ++i) {
    const float* zi = z + i * C;
    size_t best = 0;
    for (size_t j = 1; j < C; ++j)
      if (zi[j] > zi[best]) best = j;
    if (static_cast<int32_t>(best) == y[i]) ++correct;
  }
  return correct;
}

double mseForward(const float* p, const float* t, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = static_cast<double>(p[i]) - t[i];
    s += d * d;
  }
  return s / n;
}

void mseBackward(const float* p, const float* t, float* d, size_t n, double gradOut) {
  const float k = static_cast<float>(2.0 * gradOut / n);
  for (size_t i = 0; i < n; ++i) d[i] = k * (p[i] - t[i]);
}

}  // namespace tl
