// Elementwise ops and reductions over n floats that are too slow per element in JavaScript.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

void reluForward(const float* x, float* y, size_t n);
void reluBackward(const float* dy, const float* y, float* dx, size_t n);  // dx = dy where y > 0
void add(const float* a, const float* b, float* out, size_t n);
void axpy(float alpha, const float* x, float* y, size_t n);  // y += alpha * x
void mul(const float* a, const float* b, float* out, size_t n);
void scale(const float* x, float alpha, float* out, size_t n);  // out = alpha * x
double sum(const float* x, size_t n);                           // accumulated in double
// mask = keep / (1 - p) with keep drawn from (seed, index), y = x * mask; p in [0, 1).
void dropoutForward(const float* x, float* y, float* mask, size_t n, double p, uint64_t seed);

}  // namespace tl
