// GELU, x * Phi(x), in PyTorch's two forms: `tanh` is the approximation GPT-2 and nn.GELU(approximate='tanh')
// use, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); otherwise the exact form with erf
// (nn.GELU(approximate='none'), BERT's).
#pragma once
#include <cstddef>

namespace tl {

void geluForward(const float* x, float* y, size_t n, bool tanh);
// dx = dy * gelu'(x), the derivative of the same form.
void geluBackward(const float* dy, const float* x, float* dx, size_t n, bool tanh);

}  // namespace tl
