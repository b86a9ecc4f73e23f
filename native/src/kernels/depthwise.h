// Depthwise 2-D convolution: NCHW input, one K×K filter per channel (weight [C, 1, K, K]), square stride and zero
// padding, as in the inverted-residual blocks of MobileNetV2 and the SuperTickets supernets. Every channel is its own
// plane, so planes run on the kernel pool independently.
#pragma once
#include <cstddef>

namespace tl {

struct DepthwiseDims {
  int N, C, H, W, K, stride, pad;
  int OH, OW;  // (H + 2 pad - K) / stride + 1, and the same across
  size_t planes() const { return static_cast<size_t>(N) * C; }
  size_t inPlane() const { return static_cast<size_t>(H) * W; }
  size_t outPlane() const { return static_cast<size_t>(OH) * OW; }
  size_t filter() const { return static_cast<size_t>(K) * K; }
};

// y = depthwise(x, w) + b (b may be null).
void depthwiseForward(DepthwiseDims d, const float* x, const float* w, const float* b, float* y);
// dx overwritten.
void depthwiseBackwardData(DepthwiseDims d, const float* dy, const float* w, float* dx);
// dw (and db when not null) overwritten, or added to when `accumulate`.
void depthwiseBackwardFilter(DepthwiseDims d, const float* dy, const float* x, float* dw, float* db, bool accumulate);

}  // namespace tl
