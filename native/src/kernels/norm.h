// Batch normalization over (N, C, HW): statistics per channel C across the batch and spatial positions. Batch norm
// for fully connected layers is the HW = 1 case. Running statistics follow PyTorch (momentum-weighted, unbiased
// variance in the running estimate, biased variance for normalizing).
#pragma once
#include <cstddef>

namespace tl {

struct BnDims {
  int N, C, HW;
  size_t total() const { return static_cast<size_t>(N) * C * HW; }
};

// Training: normalizes with batch statistics, stores them in mean/invstd and updates the running ones (throws
// InputError with fewer than two values per channel). Eval: normalizes with the running statistics and stores
// those in mean/invstd, so the backward pass is the same for both.
void batchNormForward(BnDims d, const float* x, const float* gamma, const float* beta, float* y, float* mean,
                      float* invstd, float* runningMean, float* runningVar, bool training, double momentum, double eps);
// dx (may be null) is overwritten; dgamma and dbeta are overwritten or, with accumulate, added to.
void batchNormBackward(BnDims d, const float* dy, const float* x, const float* gamma, const float* mean,
                       const float* invstd, float* dx, float* dgamma, float* dbeta, bool training, bool accumulate);

}  // namespace tl
