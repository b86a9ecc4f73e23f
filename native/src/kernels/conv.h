// 2-D convolution, NCHW input x[N,C,H,W], OIHW weight w[O,C,KH,KW], output y[N,O,OH,OW], same padding on every side.
// Stride-1 passes go to the direct AVX-512 or AVX2 kernels (convk.h) when the build has them and the shape suits them;
// everything else runs by im2col + GEMM.
#pragma once
#include <cstddef>

namespace tl {

struct ConvDims {
  int N, C, H, W, O, KH, KW, stride, pad;
  int OH, OW;  // (H + 2 pad - KH) / stride + 1, and the same across
  size_t inPlane() const { return static_cast<size_t>(C) * H * W; }
  size_t outPlane() const { return static_cast<size_t>(O) * OH * OW; }
  size_t colRows() const { return static_cast<size_t>(C) * KH * KW; }
  size_t colCols() const { return static_cast<size_t>(OH) * OW; }
  bool direct() const { return KH == 1 && KW == 1 && stride == 1 && pad == 0; }  // 1x1: x is its own im2col
};

// y = conv(x, w) + b (b may be null); y is overwritten.
void conv2dForward(ConvDims d, const float* x, const float* w, const float* b, float* y);
// dx = conv^T(dy, w); dx is overwritten.
void conv2dBackwardData(ConvDims d, const float* dy, const float* w, float* dx);
// dw (+)= sum_n dy_n (*) x_n; db (+)= sums of dy per channel (db may be null). `accumulate` selects += over =.
void conv2dBackwardFilter(ConvDims d, const float* dy, const float* x, float* dw, float* db, bool accumulate);

// Auto: the direct kernels where they apply; Im2col: im2col + GEMM everywhere (for tests and comparisons).
enum class ConvAlgorithm { Auto, Im2col };
ConvAlgorithm conv2dAlgorithm();
void conv2dSetAlgorithm(ConvAlgorithm algorithm);

// Which passes of this shape run on the direct kernels now.
struct ConvPasses {
  bool forward, backwardData, backwardFilter;
};
ConvPasses conv2dUsesDirect(ConvDims d);

// Sum of n floats in 16 vectorizable partial sums, totalled in double.
double sumPlane(const float* r, int n);

}  // namespace tl
