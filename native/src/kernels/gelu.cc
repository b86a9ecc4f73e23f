// GELU kernels (gelu.h). The tanh form is written as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3), since
// 0.5 (1 + tanh(u)) = sigmoid(2u): one exp, and no cancellation for large |x|.
#include "kernels/gelu.h"

#include "kernels/fastmath.h"

namespace tl {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;
constexpr float kInvSqrt2 = 0.7071067811865476f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

// sigmoid(2u) for the tanh form.
inline float tanhGate(float x) {
  const float u = kSqrt2OverPi * (x + kCubic * x * x * x);
  return 1.0f / (1.0f + expApprox(-2.0f * u));
}

}  // namespace

void geluForward(const float* x, float* y, size_t n, bool tanh) {
  if (tanh)
    for (size_t i = 0; i < n; ++i) y[i] = x[i] * tanhGate(x[i]);
  else
    for (size_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + erfApprox(x[i] * kInvSqrt2));
}

void geluBackward(const float* dy, const float* x, float* dx, size_t n, bool tanh) {
  if (tanh) {
    for (size_t i = 0; i < n; ++i) {
      // d/dx [x s(2u)] = s + x s (1 - s) 2 u'(x)
      const float v = x[i], s = tanhGate(v);
      const float du = kSqrt2OverPi * (1.0f + 3.0f * kCubic * v * v);
      dx[i] = dy[i] * (s + v * s * (1.0f - s) * 2.0f * du);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const float v = x[i];
      const float cdf = 0.5f * (1.0f + erfApprox(v * kInvSqrt2));
      dx[i] = dy[i] * (cdf + v * kInvSqrt2Pi * expApprox(-0.5f * v * v));
    }
  }
}

}  // namespace tl
