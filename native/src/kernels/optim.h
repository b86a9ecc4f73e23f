// Fused optimizer updates with PyTorch's semantics. With a mask, gradients are zeroed where the mask is zero
// before they touch any state, and the weights are multiplied by the mask afterwards, so pruned weights stay
// exactly zero through weight decay, momentum and Adam's moments. The indexed updates touch only the listed
// entries (a mask's non-zeros): for a masked weight the others have zero gradient, state and value, so skipping
// them gives exactly the dense update.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

struct SgdParams {
  double lr, momentum, dampening, weightDecay;
  bool nesterov, firstStep;
};

// decoupled = false: Adam with L2 (g += wd w); true: AdamW (w *= 1 - lr wd). `step` counts from 1.
struct AdamParams {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled;
  int64_t step;
};

// buf (the momentum buffer) may be null only without momentum (else InputError); mask may be null.
void sgdStep(float* w, const float* g, float* buf, const float* mask, size_t n, const SgdParams& p);
void adamStep(float* w, const float* g, float* m, float* v, const float* mask, size_t n, const AdamParams& p);
// Arrays hold len entries; throws InputError for an index outside [0, len).
void sgdStepIndexed(float* w, const float* g, float* buf, size_t len, const int32_t* idx, size_t nIdx,
                    const SgdParams& p);
void adamStepIndexed(float* w, const float* g, float* m, float* v, size_t len, const int32_t* idx, size_t nIdx,
                     const AdamParams& p);

}  // namespace tl
