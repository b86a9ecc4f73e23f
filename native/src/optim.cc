// Fused optimizer updates with PyTorch's semantics. With a mask, gradients are zeroed where the mask is zero
// before they touch any state, and the weights are multiplied by the mask afterwards, so pruned weights stay
// exactly zero through weight decay, momentum and Adam's moments.
#include "tl.h"
#include <cmath>

namespace tl {

// sgdStep(w, g, buf|null, mask|null, n, lr, momentum, dampening, weightDecay, nesterov, firstStep)
static Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args a(info, "sgdStep");
  size_t n = a.integer(4, "n");
  float* w = a.f32(0, n, "weight");
  float* g = a.f32(1, n, "grad");
  float* buf = a.f32(2, n, "momentumBuffer", true);
  float* mask = a.f32(3, n, "mask", true);
  float lr = a.number(5, "lr"), mom = a.number(6, "momentum"), damp = a.number(7, "dampening");
  float wd = a.number(8, "weightDecay");
  bool nesterov = a.boolean(9, "nesterov"), first = a.boolean(10, "firstStep");
  if (mom != 0.0f && !buf) a.fail("momentum needs a buffer");
  for (size_t i = 0; i < n; ++i) {
    float d = g[i] + wd * w[i];
    if (mask) d *= mask[i];
    if (mom != 0.0f) {
      buf[i] = first ? d : mom * buf[i] + (1.0f - damp) * d;
      d = nesterov ? d + mom * buf[i] : buf[i];
    }
    w[i] -= lr * d;
    if (mask) w[i] *= mask[i];
  }
  return info.Env().Undefined();
}

// adamStep(w, g, m, v, mask|null, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
// decoupled = false: Adam with L2 (g += wd w); true: AdamW (w *= 1 - lr wd). `step` counts from 1.
static Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args a(info, "adamStep");
  size_t n = a.integer(5, "n");
  float* w = a.f32(0, n, "weight");
  float* g = a.f32(1, n, "grad");
  float* m = a.f32(2, n, "expAvg");
  float* v = a.f32(3, n, "expAvgSq");
  float* mask = a.f32(4, n, "mask", true);
  double lr = a.number(6, "lr"), b1 = a.number(7, "beta1"), b2 = a.number(8, "beta2"), eps = a.number(9, "eps");
  double wd = a.number(10, "weightDecay");
  bool decoupled = a.boolean(11, "decoupled");
  int64_t step = a.integer(12, "step", 1);
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(step));
  const float stepSize = static_cast<float>(lr / bc1);
  const float invSqrtBc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  const float fb1 = b1, fb2 = b2, feps = eps, fwd = wd;
  const float decay = decoupled ? static_cast<float>(1.0 - lr * wd) : 1.0f;
  for (size_t i = 0; i < n; ++i) {
    float gi = g[i];
    if (!decoupled) gi += fwd * w[i];
    if (mask) gi *= mask[i];
    float wi = w[i] * decay;
    m[i] = fb1 * m[i] + (1.0f - fb1) * gi;
    v[i] = fb2 * v[i] + (1.0f - fb2) * gi * gi;
    wi -= stepSize * m[i] / (std::sqrt(v[i]) * invSqrtBc2 + feps);
    w[i] = mask ? wi * mask[i] : wi;
  }
  return info.Env().Undefined();
}

void registerOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
}

}  // namespace tl
