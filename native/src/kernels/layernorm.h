// Layer normalization over the last axis of a row-major [rows, D] array: each row is normalized by its own mean
// and (biased) variance, then scaled by gamma and shifted by beta, both of length D (PyTorch's nn.LayerNorm).
#pragma once
#include <cstddef>

namespace tl {

// y = (x - mean) * rstd * gamma + beta; stores each row's mean and rstd = 1 / sqrt(var + eps) for the backward
// pass. gamma and beta may be null (1 and 0).
void layerNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                      size_t rows, size_t D, double eps);

// dx (may be null) is overwritten; dgamma and dbeta (may be null) are overwritten, or added to with their
// accumulate flag.
void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, size_t rows, size_t D, bool accGamma, bool accBeta);

}  // namespace tl
