// Softmax and log-softmax over the last axis of a row-major [rows, D] array.
#pragma once
#include <cstddef>

namespace tl {

void softmaxForward(const float* x, float* y, size_t rows, size_t D);
// dx = y * (dy - sum(dy * y)) per row.
void softmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t D);
// y = x - max - log(sum(exp(x - max))). With float64 the shift and the log-sum-exp are computed in double, so a
// log-probability near 0 (a confident prediction) keeps its digits instead of rounding to exactly 0.
void logSoftmaxForward(const float* x, float* y, size_t rows, size_t D, bool float64);
// dx = dy - exp(y) * sum(dy) per row (exp and sum in double with float64).
void logSoftmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t D, bool float64);

// log(sum(exp(x - max))) of one row in double, as log1p of the terms other than the max's own 1: a confident
// row's tiny log-sum keeps full relative precision.
double logSumShifted64(const float* x, size_t D);

// Softmax of one row in place; entries equal to -inf get probability 0, a row of only -inf becomes all zeros.
void softmaxRow(float* row, size_t D);

}  // namespace tl
