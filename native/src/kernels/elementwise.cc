// Elementwise kernels (elementwise.h).
#include "kernels/elementwise.h"

namespace tl {

void reluForward(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void reluBackward(const float* dy, const float* y, float* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void add(const float* a, const float* b, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void axpy(float alpha, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void mul(const float* a, const float* b, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

void scale(const float* x, float alpha, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = alpha * x[i];
}

double sum(const float* x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += x[i];
  return s;
}

// Counter-based generator: the same (seed, index) always gives the same uniform in [0, 1).
static inline float uniformAt(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

void dropoutForward(const float* x, float* y, float* mask, size_t n, double p, uint64_t seed) {
  const float keepScale = static_cast<float>(1.0 / (1.0 - p));
  const float fp = static_cast<float>(p);
  for (size_t i = 0; i < n; ++i) {
    mask[i] = uniformAt(seed, i) >= fp ? keepScale : 0.0f;
    y[i] = x[i] * mask[i];
  }
}

}  // namespace tl
