// Optimizer kernels (optim.h): one update rule per optimizer serves its dense (optionally masked) and indexed
// updates.
#include "kernels/optim.h"

#include <algorithm>
#include <cmath>

#include "kernels/backend.h"
#include "kernels/error.h"
#include "kernels/parallel.h"

namespace tl {
namespace {

struct SgdRule {
  float lr, mom, damp, wd;
  bool nesterov, first;
  explicit SgdRule(const SgdParams& p)
      : lr(p.lr), mom(p.momentum), damp(p.dampening), wd(p.weightDecay), nesterov(p.nesterov), first(p.firstStep) {}
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

struct AdamRule {
  float b1, b2, eps, l2, decay, stepSize, invSqrtBc2;
  explicit AdamRule(const AdamParams& p) {
    const double t = static_cast<double>(p.step);
    b1 = p.beta1;
    b2 = p.beta2;
    eps = p.eps;
    l2 = p.decoupled ? 0.0f : static_cast<float>(p.weightDecay);
    decay = p.decoupled ? static_cast<float>(1.0 - p.lr * p.weightDecay) : 1.0f;
    stepSize = static_cast<float>(p.lr / (1.0 - std::pow(p.beta1, t)));
    invSqrtBc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(p.beta2, t)));
  }
  float grad(float w, float g) const { return g + l2 * w; }
  // New weight from the (L2-decayed, masked) gradient g; updates the moments.
  float step(float w, float g, float& m, float& v) const {
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    return w * decay - stepSize * m / (std::sqrt(v) * invSqrtBc2 + eps);
  }
};

}  // namespace

// Dense updates are elementwise and memory-bound: large ones are split in contiguous ranges across the kernel
// threads (each element is updated by exactly the arithmetic a single thread would do, so results do not depend on
// the thread count). Below ~128K elements a second thread is not worth waking.
template <class Range>
static void overRanges(size_t n, const Range& range) {
  const int T = n < (size_t{1} << 17) ? 1 : std::max(1, std::min(getThreads(), static_cast<int>(n >> 16)));
  if (T == 1) return range(size_t{0}, n);
  parallelChunks(T, T, [&](int t) { range(rangeStart(n, t, T), rangeStart(n, t + 1, T)); });
}

// The loops take their arrays as parameters and the rule by value: a rule reached through a reference could alias
// the float arrays being written, and its fields would be reloaded every element (the loop ran 3x slower).
static void sgdRange(float* w, const float* g, float* buf, const float* mask, size_t i0, size_t i1, const SgdRule r) {
  for (size_t i = i0; i < i1; ++i) {
    float d = r.grad(w[i], g[i]);
    if (mask) d *= mask[i];
    const float wi = r.step(w[i], d, buf ? buf + i : nullptr);
    w[i] = mask ? wi * mask[i] : wi;
  }
}

static void adamRange(float* w, const float* g, float* m, float* v, const float* mask, size_t i0, size_t i1,
                      const AdamRule r) {
  for (size_t i = i0; i < i1; ++i) {
    float gi = r.grad(w[i], g[i]);
    if (mask) gi *= mask[i];
    const float wi = r.step(w[i], gi, m[i], v[i]);
    w[i] = mask ? wi * mask[i] : wi;
  }
}

void sgdStep(float* w, const float* g, float* buf, const float* mask, size_t n, const SgdParams& p) {
  const SgdRule r(p);
  if (r.mom != 0.0f && !buf) throw InputError("momentum needs a buffer");
  overRanges(n, [&](size_t i0, size_t i1) { sgdRange(w, g, buf, mask, i0, i1, r); });
}

void adamStep(float* w, const float* g, float* m, float* v, const float* mask, size_t n, const AdamParams& p) {
  const AdamRule r(p);
  overRanges(n, [&](size_t i0, size_t i1) { adamRange(w, g, m, v, mask, i0, i1, r); });
}

void sgdStepIndexed(float* w, const float* g, float* buf, size_t len, const int32_t* idx, size_t nIdx,
                    const SgdParams& p) {
  const SgdRule r(p);
  if (r.mom != 0.0f && !buf) throw InputError("momentum needs a buffer");
  for (size_t k = 0; k < nIdx; ++k) {
    const int32_t i = idx[k];
    if (i < 0 || static_cast<size_t>(i) >= len) throw InputError("index out of range");
    w[i] = r.step(w[i], r.grad(w[i], g[i]), buf ? buf + i : nullptr);
  }
}

void adamStepIndexed(float* w, const float* g, float* m, float* v, size_t len, const int32_t* idx, size_t nIdx,
                     const AdamParams& p) {
  const AdamRule r(p);
  for (size_t k = 0; k < nIdx; ++k) {
    const int32_t i = idx[k];
    if (i < 0 || static_cast<size_t>(i) >= len) throw InputError("index out of range");  // never a bad write
    w[i] = r.step(w[i], r.grad(w[i], g[i]), m[i], v[i]);
  }
}

}  // namespace tl
