// Depthwise convolution kernels (depthwise.h). Each plane is first copied into a zero-padded buffer wide enough for
// whole 8-lane output chunks, so the inner loops have no bounds checks: forward accumulates a chunk of 8 outputs
// over the K×K taps in registers; filter-backward accumulates 8 lanes per tap over the plane. Data-backward at
// stride 1 is the forward pass of the padded gradient with the flipped filter; at larger strides it scatters.
// Forward and data-backward run over planes, filter-backward over channels (each sums its N planes).
#include "kernels/depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"

namespace tl {
namespace {

constexpr int kLanes = 8;
// Eight floats as one value (GCC/Clang vector extension): AVX registers with -march=native, SSE pairs otherwise.
typedef float V8 __attribute__((vector_size(32)));

inline V8 load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline V8 load8Strided(const float* p, int stride) {
  V8 v;
  for (int j = 0; j < kLanes; ++j) v[j] = p[j * stride];
  return v;
}

template <class Body>
void forRange(size_t n, double work, const Body& body) {
  const int T =
      work < 2e5 ? 1 : std::max(1, std::min<int>(getThreads(), static_cast<int>(std::min<size_t>(n, 1 << 20))));
  parallelRun(T, [&](int t) {
    for (size_t i = rangeStart(n, t, T); i < rangeStart(n, t + 1, T); ++i) body(i);
  });
}

// A zero-padded copy of one H×W plane: `pad` rows/columns of zeros before, and enough after that every output chunk
// of kLanes columns (and every row the taps reach) reads inside the buffer.
struct Padded {
  int rows, cols;
  std::vector<float> buf;
  Padded(int H, int W, int K, int stride, int padTop, int OH, int OW) {
    const int chunks = (OW + kLanes - 1) / kLanes * kLanes;
    rows = std::max(H + 2 * padTop, (OH - 1) * stride + K);
    cols = std::max(W + 2 * padTop, (chunks - 1) * stride + K);
    buf.assign(static_cast<size_t>(rows) * cols, 0.0f);
  }
  void load(const float* plane, int H, int W, int pad) {
    for (int h = 0; h < H; ++h)
      std::memcpy(buf.data() + static_cast<size_t>(h + pad) * cols + pad, plane + static_cast<size_t>(h) * W,
                  W * sizeof(float));
  }
};

// y (OH×OW) = correlation of the padded plane with the K×K filter at `stride`, plus `bias`.
void correlatePlane(const Padded& p, const float* f, int K, int stride, int OH, int OW, float bias, float* y) {
  const float* base = p.buf.data();
  for (int oh = 0; oh < OH; ++oh) {
    float* yr = y + static_cast<size_t>(oh) * OW;
    for (int ow0 = 0; ow0 < OW; ow0 += kLanes) {
      V8 acc = V8{} + bias;
      for (int kh = 0; kh < K; ++kh) {
        const float* r = base + static_cast<size_t>(oh * stride + kh) * p.cols + static_cast<size_t>(ow0) * stride;
        const float* fr = f + kh * K;
        if (stride == 1)
          for (int kw = 0; kw < K; ++kw) acc += fr[kw] * load8(r + kw);
        else
          for (int kw = 0; kw < K; ++kw) acc += fr[kw] * load8Strided(r + kw, stride);
      }
      const int n = std::min(kLanes, OW - ow0);
      std::memcpy(yr + ow0, &acc, n * sizeof(float));
    }
  }
}

}  // namespace

void depthwiseForward(DepthwiseDims d, const float* x, const float* w, const float* b, float* y) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  const int T = work < 2e5 ? 1 : std::max(1, std::min<int>(getThreads(), static_cast<int>(d.planes())));
  parallelRun(T, [&](int t) {
    Padded p(d.H, d.W, d.K, d.stride, d.pad, d.OH, d.OW);
    for (size_t i = rangeStart(d.planes(), t, T); i < rangeStart(d.planes(), t + 1, T); ++i) {
      const int c = static_cast<int>(i % d.C);
      p.load(x + i * d.inPlane(), d.H, d.W, d.pad);
      correlatePlane(p, w + static_cast<size_t>(c) * d.filter(), d.K, d.stride, d.OH, d.OW, b ? b[c] : 0.0f,
                     y + i * d.outPlane());
    }
  });
}

void depthwiseBackwardData(DepthwiseDims d, const float* dy, const float* w, float* dx) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  if (d.stride == 1 && d.pad < d.K) {
    // dx = dy padded by K−1−pad, correlated with the filter turned by 180°.
    const int full = d.K - 1 - d.pad;
    std::vector<float> flipped(static_cast<size_t>(d.C) * d.filter());
    for (int c = 0; c < d.C; ++c)
      for (size_t i = 0; i < d.filter(); ++i) flipped[c * d.filter() + i] = w[c * d.filter() + d.filter() - 1 - i];
    const int T = work < 2e5 ? 1 : std::max(1, std::min<int>(getThreads(), static_cast<int>(d.planes())));
    parallelRun(T, [&](int t) {
      Padded p(d.OH, d.OW, d.K, 1, full, d.H, d.W);
      for (size_t i = rangeStart(d.planes(), t, T); i < rangeStart(d.planes(), t + 1, T); ++i) {
        const int c = static_cast<int>(i % d.C);
        p.load(dy + i * d.outPlane(), d.OH, d.OW, full);
        correlatePlane(p, flipped.data() + static_cast<size_t>(c) * d.filter(), d.K, 1, d.H, d.W, 0.0f,
                       dx + i * d.inPlane());
      }
    });
    return;
  }
  forRange(d.planes(), work, [&](size_t i) {
    const int c = static_cast<int>(i % d.C);
    const float* gp = dy + i * d.outPlane();
    const float* wc = w + static_cast<size_t>(c) * d.filter();
    float* xp = dx + i * d.inPlane();
    std::memset(xp, 0, d.inPlane() * sizeof(float));
    for (int oh = 0; oh < d.OH; ++oh)
      for (int kh = 0; kh < d.K; ++kh) {
        const int ih = oh * d.stride - d.pad + kh;
        if (ih < 0 || ih >= d.H) continue;
        for (int kw = 0; kw < d.K; ++kw) {
          const float tap = wc[kh * d.K + kw];
          for (int ow = 0; ow < d.OW; ++ow) {
            const int iw = ow * d.stride - d.pad + kw;
            if (iw >= 0 && iw < d.W)
              xp[static_cast<size_t>(ih) * d.W + iw] += tap * gp[static_cast<size_t>(oh) * d.OW + ow];
          }
        }
      }
  });
}

void depthwiseBackwardFilter(DepthwiseDims d, const float* dy, const float* x, float* dw, float* db, bool accumulate) {
  const double work = static_cast<double>(d.planes()) * d.outPlane() * d.filter();
  const int chunks = (d.OW + kLanes - 1) / kLanes * kLanes;
  forRange(static_cast<size_t>(d.C), work, [&](size_t cc) {
    const int c = static_cast<int>(cc);
    Padded p(d.H, d.W, d.K, d.stride, d.pad, d.OH, d.OW);
    std::vector<float> row(chunks, 0.0f);           // one gradient row, zero past OW
    std::vector<float> lanes(d.filter() * kLanes);  // per tap, kLanes partial sums of one plane
    std::vector<double> g(d.filter(), 0.0);         // per tap, the sum over planes
    double bias = 0;
    for (int n = 0; n < d.N; ++n) {
      const size_t i = static_cast<size_t>(n) * d.C + c;
      const float* gp = dy + i * d.outPlane();
      p.load(x + i * d.inPlane(), d.H, d.W, d.pad);
      std::fill(lanes.begin(), lanes.end(), 0.0f);
      for (int oh = 0; oh < d.OH; ++oh) {
        std::memcpy(row.data(), gp + static_cast<size_t>(oh) * d.OW, d.OW * sizeof(float));
        if (db)
          for (int ow = 0; ow < d.OW; ++ow) bias += row[ow];
        for (int kh = 0; kh < d.K; ++kh) {
          const float* r = p.buf.data() + static_cast<size_t>(oh * d.stride + kh) * p.cols;
          for (int kw = 0; kw < d.K; ++kw) {
            V8 acc = load8(lanes.data() + static_cast<size_t>(kh * d.K + kw) * kLanes);
            for (int ow0 = 0; ow0 < chunks; ow0 += kLanes) {
              const float* xr = r + static_cast<size_t>(ow0) * d.stride + kw;
              acc += load8(row.data() + ow0) * (d.stride == 1 ? load8(xr) : load8Strided(xr, d.stride));
            }
            std::memcpy(lanes.data() + static_cast<size_t>(kh * d.K + kw) * kLanes, &acc, sizeof acc);
          }
        }
      }
      for (size_t t = 0; t < d.filter(); ++t)
        for (int j = 0; j < kLanes; ++j) g[t] += lanes[t * kLanes + j];
    }
    float* wc = dw + static_cast<size_t>(c) * d.filter();
    for (size_t t = 0; t < d.filter(); ++t) wc[t] = static_cast<float>(accumulate ? wc[t] + g[t] : g[t]);
    if (db) db[c] = static_cast<float>(accumulate ? db[c] + bias : bias);
  });
}

}  // namespace tl
