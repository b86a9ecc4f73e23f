// Moving values between a dense array and a packed list of its entries (a mask's non-zeros), and between the
// row-major and feature-major layouts of activations.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

// dst[k] = src[idx[k]] for k < n; src holds srcLen floats. Throws InputError for an index outside src.
void gatherIndexed(const float* src, size_t srcLen, const int32_t* idx, float* dst, size_t n);
// dst[idx[k]] (+)= src[k] for k < n; dst holds dstLen floats. Throws InputError for an index outside dst.
void scatterIndexed(const float* src, const int32_t* idx, float* dst, size_t dstLen, size_t n, bool accumulate);
// dst[cols, rows] = src[rows, cols]^T, blocked for cache.
void transpose(const float* src, float* dst, int rows, int cols);

}  // namespace tl
