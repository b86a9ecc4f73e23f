// Max and average pooling over NCHW planes with square windows. Max pooling records the argmax (index within the
// input plane) so the backward pass is a scatter; average pooling counts padding like PyTorch's default.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

// Passed by value: with a private copy the compiler knows the int32 argmax stores cannot change the sizes.
struct PoolDims {
  int N, C, H, W, K, stride, pad;
  int OH, OW;  // (H + 2 pad - K) / stride + 1, and the same across
  size_t planes() const { return static_cast<size_t>(N) * C; }
  size_t inPlane() const { return static_cast<size_t>(H) * W; }
  size_t outPlane() const { return static_cast<size_t>(OH) * OW; }
};

void maxPool2dForward(PoolDims d, const float* x, float* y, int32_t* argmax);
// dx overwritten. Throws InputError for an argmax outside its input plane.
void maxPool2dBackward(PoolDims d, const float* dy, const int32_t* argmax, float* dx);
void avgPool2dForward(PoolDims d, const float* x, float* y);
// dx overwritten.
void avgPool2dBackward(PoolDims d, const float* dy, float* dx);

}  // namespace tl
