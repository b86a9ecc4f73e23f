// Fused attention kernels (attention.h). Heads of different batch elements are independent: they run on the
// kernel pool when threads are allowed, each writing its own column slice of the outputs.
#include "kernels/attention.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/backend.h"
#include "kernels/gemm.h"
#include "kernels/lanes.h"
#include "kernels/parallel.h"
#include "kernels/softmax.h"

namespace tl {
namespace {

// Runs head(pair, scratch) for every (batch, head) pair, split over the kernel pool when the work pays for it.
template <class Head>
void forEachHead(const AttnDims& d, Head head) {
  const int pairs = d.B * d.H;
  const double macs = static_cast<double>(pairs) * d.Sq * d.Sk * d.hd;
  const int T = macs < 1e6 ? 1 : std::max(1, std::min(getThreads(), pairs));
  parallelRun(T, [&](int t) {
    std::vector<float> scratch(static_cast<size_t>(d.Sq) * d.Sk);
    for (size_t p = rangeStart(pairs, t, T); p < rangeStart(pairs, t + 1, T); ++p)
      head(static_cast<int>(p), scratch.data());
  });
}

// Hides masked keys of one score row, then turns it into probabilities.
void maskedSoftmaxRow(float* row, int i, int Sk, const float* keep, bool causal) {
  const int limit = causal ? std::min(i + 1, Sk) : Sk;  // keys after `limit` are hidden by the causal mask
  std::fill(row + limit, row + Sk, 0.0f);
  if (keep)
    for (int j = 0; j < limit; ++j)
      if (keep[j] == 0.0f) row[j] = -std::numeric_limits<float>::infinity();
  softmaxRow(row, limit);
}

}  // namespace

void attentionForward(const AttnDims& d, const float* q, const float* k, const float* v, const float* keyMask,
                      bool causal, float scale, float* out, float* probs) {
  const int D = d.D();
  forEachHead(d, [&](int pair, float*) {
    const int b = pair / d.H, h = pair % d.H;
    const float* qh = q + static_cast<size_t>(b) * d.Sq * D + h * d.hd;
    const float* kh = k + static_cast<size_t>(b) * d.Sk * D + h * d.hd;
    const float* vh = v + static_cast<size_t>(b) * d.Sk * D + h * d.hd;
    float* P = probs + static_cast<size_t>(pair) * d.Sq * d.Sk;
    gemmStrided(false, true, d.Sq, d.Sk, d.hd, scale, qh, D, kh, D, 0.0f, P, d.Sk);
    const float* keep = keyMask ? keyMask + static_cast<size_t>(b) * d.Sk : nullptr;
    for (int i = 0; i < d.Sq; ++i) maskedSoftmaxRow(P + static_cast<size_t>(i) * d.Sk, i, d.Sk, keep, causal);
    float* oh = out + static_cast<size_t>(b) * d.Sq * D + h * d.hd;
    gemmStrided(false, false, d.Sq, d.hd, d.Sk, 1.0f, P, d.Sk, vh, D, 0.0f, oh, D);
  });
}

void attentionBackward(const AttnDims& d, const float* q, const float* k, const float* v, const float* probs,
                       const float* dout, float* dq, float* dk, float* dv, float scale) {
  const int D = d.D();
  forEachHead(d, [&](int pair, float* dS) {
    const int b = pair / d.H, h = pair % d.H;
    const size_t qOff = static_cast<size_t>(b) * d.Sq * D + h * d.hd;
    const size_t kOff = static_cast<size_t>(b) * d.Sk * D + h * d.hd;
    const float* P = probs + static_cast<size_t>(pair) * d.Sq * d.Sk;
    if (dv) gemmStrided(true, false, d.Sk, d.hd, d.Sq, 1.0f, P, d.Sk, dout + qOff, D, 0.0f, dv + kOff, D);
    if (!dq && !dk) return;
    // dP = dO v^T, then the softmax backward in place: dS = P (dP - rowsum(P dP)).
    gemmStrided(false, true, d.Sq, d.Sk, d.hd, 1.0f, dout + qOff, D, v + kOff, D, 0.0f, dS, d.Sk);
    for (int i = 0; i < d.Sq; ++i) {
      const float* p = P + static_cast<size_t>(i) * d.Sk;
      float* s = dS + static_cast<size_t>(i) * d.Sk;
      const float dot = laneSum(d.Sk, [&](size_t j) { return p[j] * s[j]; });
      for (int j = 0; j < d.Sk; ++j) s[j] = p[j] * (s[j] - dot);
    }
    if (dq) gemmStrided(false, false, d.Sq, d.hd, d.Sk, scale, dS, d.Sk, k + kOff, D, 0.0f, dq + qOff, D);
    if (dk) gemmStrided(true, false, d.Sk, d.hd, d.Sq, scale, dS, d.Sk, q + qOff, D, 0.0f, dk + kOff, D);
  });
}

}  // namespace tl
