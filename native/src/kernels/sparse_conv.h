// Sparse 2-D convolution for pruned conv layers (stride 1, any padding): the weight is CSR over rows o and columns
// (c, kh, kw); each non-zero adds a shifted plane of the zero-padded input to an output plane, row by row, so the
// work is (non-zeros x output pixels) with contiguous, vectorized rows and no im2col buffer.
#pragma once
#include "kernels/csr.h"

namespace tl {

// x[N,C,H,W], y[N,O,OH,OW], square K x K kernel; HP x WP is the padded input.
struct SparseConvDims {
  int N, C, H, W, O, K, pad;
  int HP, WP;  // H + 2 pad, W + 2 pad
  int OH, OW;  // HP - K + 1, WP - K + 1
};

// csr: O x C*K*K (rows x cols), values[nnz]; y is overwritten with conv(x, w) + bias (bias may be null).
void sparseConv2dForward(SparseConvDims s, const Csr& csr, const float* values, const float* bias, const float* x,
                         float* y);
// dx is overwritten; dValues and dBias are overwritten or, with accumulate, added to. Null outputs are skipped.
void sparseConv2dBackward(SparseConvDims s, const Csr& csr, const float* values, const float* x, const float* dy,
                          float* dx, float* dValues, float* dBias, bool accumulate);

}  // namespace tl
