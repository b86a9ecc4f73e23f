// Fused optimizer updates with PyTorch's semantics. With a mask, gradients are zeroed where the mask is zero
// before they touch any state, and the weights are multiplied by the mask afterwards, so pruned weights stay
// exactly zero through weight decay, momentum and Adam's moments.
#include "tl.h"
#include <cmath>

namespace tl {

// One update rule per optimizer, read from the call's arguments and applied per weight, shared by the dense
// (optionally masked) updates and the indexed ones that touch only a mask's non-zeros.
struct SgdRule {
  float lr, mom, damp, wd;
  bool nesterov, first;
  // Arguments from `at`: lr, momentum, dampening, weightDecay, nesterov, firstStep.
  SgdRule(const Args& a, size_t at)
      : lr(a.number(at, "lr")), mom(a.number(at + 1, "momentum")), damp(a.number(at + 2, "dampening")),
        wd(a.number(at + 3, "weightDecay")), nesterov(a.boolean(at + 4, "nesterov")), first(a.boolean(at + 5, "firstStep")) {}
  float grad(float w, float g) const { return g + wd * w; }
  // New weight from the (decayed, masked) gradient d.
  float step(float w, float d, float* buf) const {
    if (mom != 0.0f) {
      *buf = first ? d : mom * *buf + (1.0f - damp) * d;
      d = nesterov ? d + mom * *buf : *buf;
    }
    return w - lr * d;
  }
};

// decoupled = false: Adam with L2 (g += wd w); true: AdamW (w *= 1 - lr wd). `step` counts from 1.
struct AdamRule {
  float b1, b2, eps, l2, decay, stepSize, invSqrtBc2;
  // Arguments from `at`: lr, beta1, beta2, eps, weightDecay, decoupled, step.
  AdamRule(const Args& a, size_t at) {
    const double lr = a.number(at, "lr"), db1 = a.number(at + 1, "beta1"), db2 = a.number(at + 2, "beta2");
    const double wd = a.number(at + 4, "weightDecay");
    const bool decoupled = a.boolean(at + 5, "decoupled");
    const double t = static_cast<double>(a.integer(at + 6, "step", 1));
    b1 = db1;
    b2 = db2;
    eps = a.number(at + 3, "eps");
    l2 = decoupled ? 0.0f : static_cast<float>(wd);
    decay = decoupled ? static_cast<float>(1.0 - lr * wd) : 1.0f;
    stepSize = static_cast<float>(lr / (1.0 - std::pow(db1, t)));
    invSqrtBc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(db2, t)));
  }
  float grad(float w, float g) const { return g + l2 * w; }
  // New weight from the (L2-decayed, masked) gradient g; updates the moments.
  float step(float w, float g, float& m, float& v) const {
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    return w * decay - stepSize * m / (std::sqrt(v) * invSqrtBc2 + eps);
  }
};

// sgdStep(w, g, buf|null, mask|null, n, lr, momentum, dampening, weightDecay, nesterov, firstStep)
static Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args a(info, "sgdStep");
  size_t n = a.integer(4, "n");
  float* w = a.f32(0, n, "weight");
  float* g = a.f32(1, n, "grad");
  float* buf = a.f32(2, n, "momentumBuffer", true);
  float* mask = a.f32(3, n, "mask", true);
  const SgdRule r(a, 5);
  if (r.mom != 0.0f && !buf) a.fail("momentum needs a buffer");
  for (size_t i = 0; i < n; ++i) {
    float d = r.grad(w[i], g[i]);
    if (mask) d *= mask[i];
    const float wi = r.step(w[i], d, buf ? buf + i : nullptr);
    w[i] = mask ? wi * mask[i] : wi;
  }
  return info.Env().Undefined();
}

// adamStep(w, g, m, v, mask|null, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
static Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args a(info, "adamStep");
  size_t n = a.integer(5, "n");
  float* w = a.f32(0, n, "weight");
  float* g = a.f32(1, n, "grad");
  float* m = a.f32(2, n, "expAvg");
  float* v = a.f32(3, n, "expAvgSq");
  float* mask = a.f32(4, n, "mask", true);
  const AdamRule r(a, 6);
  for (size_t i = 0; i < n; ++i) {
    float gi = r.grad(w[i], g[i]);
    if (mask) gi *= mask[i];
    const float wi = r.step(w[i], gi, m[i], v[i]);
    w[i] = mask ? wi * mask[i] : wi;
  }
  return info.Env().Undefined();
}

// adamStepIndexed(w, g, m, v, idx, nIdx, lr, beta1, beta2, eps, weightDecay, decoupled, step): Adam/AdamW at the
// listed entries only. For a masked weight the others have zero gradient, moments and value, so skipping them
// gives exactly the dense update.
static Napi::Value AdamStepIndexed(const Napi::CallbackInfo& info) {
  Args a(info, "adamStepIndexed");
  size_t len;
  float* w = a.f32any(0, "weight", &len);
  float* g = a.f32(1, len, "grad");
  float* m = a.f32(2, len, "expAvg");
  float* v = a.f32(3, len, "expAvgSq");
  const size_t n = a.integer(5, "nIdx");
  const int32_t* idx = a.i32(4, n, "idx");
  const AdamRule r(a, 6);
  for (size_t k = 0; k < n; ++k) {
    const int32_t i = idx[k];
    if (i < 0 || static_cast<size_t>(i) >= len) a.fail("index out of range");  // never an out-of-bounds write
    w[i] = r.step(w[i], r.grad(w[i], g[i]), m[i], v[i]);
  }
  return info.Env().Undefined();
}

// sgdStepIndexed(w, g, buf|null, idx, nIdx, lr, momentum, dampening, weightDecay, nesterov, firstStep)
static Napi::Value SgdStepIndexed(const Napi::CallbackInfo& info) {
  Args a(info, "sgdStepIndexed");
  size_t len;
  float* w = a.f32any(0, "weight", &len);
  float* g = a.f32(1, len, "grad");
  float* buf = a.f32(2, len, "momentumBuffer", true);
  const size_t n = a.integer(4, "nIdx");
  const int32_t* idx = a.i32(3, n, "idx");
  const SgdRule r(a, 5);
  if (r.mom != 0.0f && !buf) a.fail("momentum needs a buffer");
  for (size_t k = 0; k < n; ++k) {
    const int32_t i = idx[k];
    if (i < 0 || static_cast<size_t>(i) >= len) a.fail("index out of range");
    w[i] = r.step(w[i], r.grad(w[i], g[i]), buf ? buf + i : nullptr);
  }
  return info.Env().Undefined();
}

void registerOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("sgdStepIndexed", Napi::Function::New(env, SgdStepIndexed));
  exports.Set("adamStepIndexed", Napi::Function::New(env, AdamStepIndexed));
}

}  // namespace tl
