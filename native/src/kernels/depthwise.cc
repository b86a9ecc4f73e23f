// Depthwise convolution kernels (depthwise.h). Each output row is a sum of K shifted input rows times one filter
// tap; the taps that fall in the padding are clipped once per row and column range, so the inner loops carry no
// bounds checks. Forward and data-backward run over planes, filter-backward over channels (each sums its N planes).
#include "kernels/depthwise.h"

#include <algorithm>
#include <cstring>

#include "kernels/backend.h"
#include "kernels/parallel.h"

namespace tl {
namespace {

// The output columns [lo, hi) whose input column ow·stride − pad + kw lies inside [0, W).
inline void validColumns(const DepthwiseDims& d, int kw, int* lo, int* hi) {
  const int off = kw - d.pad;  // input column = ow·stride + off
  *lo = off >= 0 ? 0 : (-off + d.stride - 1) / d.stride;
  *hi = d.W - off <= 0 ? 0 : std::min(d.OW, (d.W - off - 1) / d.stride + 1);
  if (*hi < *lo) *hi = *lo;
}

template <class Body>
void forRange(size_t n, double work, const Body& body) {
  const int T =
      work < 2e5 ? 1 : std::max(1, std::min<int>(getThreads(), static_cast<int>(std::min<size_t>(n, 1 << 20))));
  parallelRun(T, [&](int t) {
    for (size_t i = rangeStart(n, t, T); i < rangeStart(n, t + 1, T); ++i) body(i);
  });
}

}  // namespace

void depthwiseForward(DepthwiseDims d, const float* x, const float* w, const float* b, float* y) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  forRange(d.planes(), work, [&](size_t p) {
    const int c = static_cast<int>(p % d.C);
    const float* xp = x + p * d.inPlane();
    const float* wc = w + static_cast<size_t>(c) * d.filter();
    float* yp = y + p * d.outPlane();
    std::fill(yp, yp + d.outPlane(), b ? b[c] : 0.0f);
    for (int oh = 0; oh < d.OH; ++oh) {
      float* yr = yp + static_cast<size_t>(oh) * d.OW;
      for (int kh = 0; kh < d.K; ++kh) {
        const int ih = oh * d.stride - d.pad + kh;
        if (ih < 0 || ih >= d.H) continue;
        const float* xr = xp + static_cast<size_t>(ih) * d.W;
        for (int kw = 0; kw < d.K; ++kw) {
          const float tap = wc[kh * d.K + kw];
          int lo, hi;
          validColumns(d, kw, &lo, &hi);
          const float* xs = xr + kw - d.pad;
          if (d.stride == 1)
            for (int ow = lo; ow < hi; ++ow) yr[ow] += tap * xs[ow];
          else
            for (int ow = lo; ow < hi; ++ow) yr[ow] += tap * xs[ow * d.stride];
        }
      }
    }
  });
}

void depthwiseBackwardData(DepthwiseDims d, const float* dy, const float* w, float* dx) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  forRange(d.planes(), work, [&](size_t p) {
    const int c = static_cast<int>(p % d.C);
    const float* gp = dy + p * d.outPlane();
    const float* wc = w + static_cast<size_t>(c) * d.filter();
    float* xp = dx + p * d.inPlane();
    std::memset(xp, 0, d.inPlane() * sizeof(float));
    for (int oh = 0; oh < d.OH; ++oh) {
      const float* gr = gp + static_cast<size_t>(oh) * d.OW;
      for (int kh = 0; kh < d.K; ++kh) {
        const int ih = oh * d.stride - d.pad + kh;
        if (ih < 0 || ih >= d.H) continue;
        float* xr = xp + static_cast<size_t>(ih) * d.W;
        for (int kw = 0; kw < d.K; ++kw) {
          const float tap = wc[kh * d.K + kw];
          int lo, hi;
          validColumns(d, kw, &lo, &hi);
          float* xs = xr + kw - d.pad;
          for (int ow = lo; ow < hi; ++ow) xs[ow * d.stride] += tap * gr[ow];
        }
      }
    }
  });
}

void depthwiseBackwardFilter(DepthwiseDims d, const float* dy, const float* x, float* dw, float* db, bool accumulate) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  forRange(static_cast<size_t>(d.C), work, [&](size_t cc) {
    const int c = static_cast<int>(cc);
    float* wc = dw + static_cast<size_t>(c) * d.filter();
    // Sums in double: a channel's filter gradient adds N·OH·OW products.
    double acc[7 * 7 * 4];
    double* g = d.filter() <= sizeof(acc) / sizeof(acc[0]) ? acc : new double[d.filter()];
    std::fill(g, g + d.filter(), 0.0);
    double bias = 0;
    for (int n = 0; n < d.N; ++n) {
      const size_t p = static_cast<size_t>(n) * d.C + c;
      const float* gp = dy + p * d.outPlane();
      const float* xp = x + p * d.inPlane();
      if (db)
        for (size_t i = 0; i < d.outPlane(); ++i) bias += gp[i];
      for (int oh = 0; oh < d.OH; ++oh) {
        const float* gr = gp + static_cast<size_t>(oh) * d.OW;
        for (int kh = 0; kh < d.K; ++kh) {
          const int ih = oh * d.stride - d.pad + kh;
          if (ih < 0 || ih >= d.H) continue;
          const float* xr = xp + static_cast<size_t>(ih) * d.W;
          for (int kw = 0; kw < d.K; ++kw) {
            int lo, hi;
            validColumns(d, kw, &lo, &hi);
            const float* xs = xr + kw - d.pad;
            float s = 0;
            for (int ow = lo; ow < hi; ++ow) s += gr[ow] * xs[ow * d.stride];
            g[kh * d.K + kw] += s;
          }
        }
      }
    }
    for (size_t i = 0; i < d.filter(); ++i) wc[i] = static_cast<float>(accumulate ? wc[i] + g[i] : g[i]);
    if (db) db[c] = static_cast<float>(accumulate ? db[c] + bias : bias);
    if (g != acc) delete[] g;
  });
}

}  // namespace tl
