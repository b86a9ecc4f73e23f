// Direct ("implicit GEMM") kernels for stride-1 2-D convolutions: register-blocked SIMD loops that read the
// (zero-padded) image in place instead of materializing an im2col matrix and handing it to a general GEMM.
// Compiled in only when the target has AVX-512F or AVX2 + FMA (convk_common.h); conv.cc falls back to
// im2col + gemm() otherwise.
#pragma once
#include <cstddef>

namespace tl {
namespace convk {

// Stride-1 convolution shape: x[N][C][H][W], w[O][C][KH][KW], y[N][O][OH][OW], same padding on every side.
struct Shape {
  int N, C, H, W, O, KH, KW, pad, OH, OW;
};

// True when this build has the kernels (target with AVX-512F, or AVX2 and FMA).
bool compiled();
// True when the direct kernel for that pass handles this shape well (stride 1 is the caller's business).
bool suitableForward(const Shape& s);
bool suitableBackwardData(const Shape& s);
bool suitableBackwardFilter(const Shape& s);

// Each call splits the batch over up to `threads` threads (images are independent; the filter gradient sums
// per-thread partials in a fixed order, so results depend only on the thread count).
// y = conv(x, w) + b (b may be null); y is overwritten.
void forward(const Shape& s, const float* x, const float* w, const float* b, float* y, int threads);
// dx = conv^T(dy, w); dx is overwritten.
void backwardData(const Shape& s, const float* dy, const float* w, float* dx, int threads);
// dw (+)= sum_n dy_n (*) x_n; db (+)= sum of dy per channel (db may be null). `accumulate` selects += over =.
void backwardFilter(const Shape& s, const float* dy, const float* x, float* dw, float* db, bool accumulate,
                    int threads);

}  // namespace convk
}  // namespace tl
