// Fully connected layer, row-major: x[N,In], weight[Out,In], bias[Out], y[N,Out].
#pragma once

namespace tl {

// y = x w^T + b (b may be null).
void linearForward(const float* x, const float* w, const float* b, float* y, int N, int In, int Out);
// dx = dy w (overwritten); dw (+)= dy^T x; db (+)= column sums of dy. `accumulate` applies to dw and db; a null
// output is skipped.
void linearBackward(const float* dy, const float* x, const float* w, float* dx, float* dw, float* db, int N, int In,
                    int Out, bool accumulate);

}  // namespace tl
