// 2-D convolution (conv.h). The im2col + GEMM path runs one image at a time so the column buffer stays small
// (C*KH*KW x OH*OW floats) and each GEMM is large enough to run at full BLAS speed.
#include "kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/convk.h"
#include "kernels/gemm.h"

namespace tl {

static void im2col(const ConvDims& d, const float* x, float* col) {
  const int OHW = d.OH * d.OW;
  for (int c = 0; c < d.C; ++c)
    for (int kh = 0; kh < d.KH; ++kh)
      for (int kw = 0; kw < d.KW; ++kw) {
        float* row = col + static_cast<size_t>((c * d.KH + kh) * d.KW + kw) * OHW;
        const float* plane = x + static_cast<size_t>(c) * d.H * d.W;
        for (int oh = 0; oh < d.OH; ++oh) {
          int ih = oh * d.stride - d.pad + kh;
          float* r = row + oh * d.OW;
          if (ih < 0 || ih >= d.H) {
            std::fill(r, r + d.OW, 0.0f);
            continue;
          }
          const float* src = plane + static_cast<size_t>(ih) * d.W;
          if (d.stride == 1) {
            int lo = std::max(0, d.pad - kw), hi = std::min(d.OW, d.W + d.pad - kw);
            if (hi < lo) hi = lo;
            std::fill(r, r + lo, 0.0f);
            std::memcpy(r + lo, src + lo - d.pad + kw, sizeof(float) * (hi - lo));
            std::fill(r + hi, r + d.OW, 0.0f);
          } else {
            for (int ow = 0; ow < d.OW; ++ow) {
              int iw = ow * d.stride - d.pad + kw;
              r[ow] = (iw >= 0 && iw < d.W) ? src[iw] : 0.0f;
            }
          }
        }
      }
}

// Adds the columns back into the image (the adjoint of im2col).
static void col2im(const ConvDims& d, const float* col, float* x) {
  const int OHW = d.OH * d.OW;
  for (int c = 0; c < d.C; ++c)
    for (int kh = 0; kh < d.KH; ++kh)
      for (int kw = 0; kw < d.KW; ++kw) {
        const float* row = col + static_cast<size_t>((c * d.KH + kh) * d.KW + kw) * OHW;
        float* plane = x + static_cast<size_t>(c) * d.H * d.W;
        for (int oh = 0; oh < d.OH; ++oh) {
          int ih = oh * d.stride - d.pad + kh;
          if (ih < 0 || ih >= d.H) continue;
          const float* r = row + oh * d.OW;
          float* dst = plane + static_cast<size_t>(ih) * d.W;
          if (d.stride == 1) {
            int lo = std::max(0, d.pad - kw), hi = std::min(d.OW, d.W + d.pad - kw);
            float* dd = dst - d.pad + kw;
            for (int ow = lo; ow < hi; ++ow) dd[ow] += r[ow];
          } else {
            for (int ow = 0; ow < d.OW; ++ow) {
              int iw = ow * d.stride - d.pad + kw;
              if (iw >= 0 && iw < d.W) dst[iw] += r[ow];
            }
          }
        }
      }
}

static ConvAlgorithm g_algo = ConvAlgorithm::Auto;

ConvAlgorithm conv2dAlgorithm() { return g_algo; }
void conv2dSetAlgorithm(ConvAlgorithm algorithm) { g_algo = algorithm; }

static convk::Shape directShape(const ConvDims& d) {
  return convk::Shape{d.N, d.C, d.H, d.W, d.O, d.KH, d.KW, d.pad, d.OH, d.OW};
}

enum class Pass { Forward, BackwardData, BackwardFilter };

static bool useDirect(const ConvDims& d, Pass pass) {
  if (g_algo != ConvAlgorithm::Auto || !convk::compiled() || d.stride != 1 || d.N == 0) return false;
  const convk::Shape s = directShape(d);
  switch (pass) {
    case Pass::Forward: return convk::suitableForward(s);
    case Pass::BackwardData: return convk::suitableBackwardData(s);
    default: return convk::suitableBackwardFilter(s);
  }
}

static thread_local std::vector<float> t_col;
static float* colBuffer(const ConvDims& d) {
  size_t need = d.colRows() * d.colCols();
  if (t_col.size() < need) t_col.resize(need);
  return t_col.data();
}

ConvPasses conv2dUsesDirect(ConvDims d) {
  return ConvPasses{useDirect(d, Pass::Forward), useDirect(d, Pass::BackwardData), useDirect(d, Pass::BackwardFilter)};
}

void conv2dForward(ConvDims d, const float* x, const float* w, const float* b, float* y) {
  if (useDirect(d, Pass::Forward)) {
    convk::forward(directShape(d), x, w, b, y, getThreads());
    return;
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  float* col = d.direct() ? nullptr : colBuffer(d);
  for (int n = 0; n < d.N; ++n) {
    const float* xn = x + n * d.inPlane();
    float* yn = y + n * d.outPlane();
    const float* src = xn;
    if (!d.direct()) {
      im2col(d, xn, col);
      src = col;
    }
    if (b) {
      for (int o = 0; o < d.O; ++o)
        std::fill(yn + static_cast<size_t>(o) * OHW, yn + static_cast<size_t>(o + 1) * OHW, b[o]);
      gemm(false, false, d.O, OHW, CKK, 1.0f, w, src, 1.0f, yn);
    } else {
      gemm(false, false, d.O, OHW, CKK, 1.0f, w, src, 0.0f, yn);
    }
  }
}

void conv2dBackwardData(ConvDims d, const float* dy, const float* w, float* dx) {
  if (useDirect(d, Pass::BackwardData)) {
    convk::backwardData(directShape(d), dy, w, dx, getThreads());
    return;
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  if (d.direct()) {
    for (int n = 0; n < d.N; ++n)
      gemm(true, false, CKK, OHW, d.O, 1.0f, w, dy + n * d.outPlane(), 0.0f, dx + n * d.inPlane());
    return;
  }
  float* col = colBuffer(d);
  std::fill(dx, dx + d.N * d.inPlane(), 0.0f);
  for (int n = 0; n < d.N; ++n) {
    gemm(true, false, CKK, OHW, d.O, 1.0f, w, dy + n * d.outPlane(), 0.0f, col);
    col2im(d, col, dx + n * d.inPlane());
  }
}

// Sum of a plane in 16 independent float partial sums (vectorizes without -ffast-math), totalled in double.
double sumPlane(const float* r, int n) {
  float acc[16] = {0};
  int i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] += r[i + l];
  double s = 0;
  for (int l = 0; l < 16; ++l) s += acc[l];
  for (; i < n; ++i) s += r[i];
  return s;
}

void conv2dBackwardFilter(ConvDims d, const float* dy, const float* x, float* dw, float* db, bool acc) {
  if (useDirect(d, Pass::BackwardFilter)) {
    convk::backwardFilter(directShape(d), dy, x, dw, db, acc, getThreads());
    return;
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  float* col = d.direct() ? nullptr : colBuffer(d);
  for (int n = 0; n < d.N; ++n) {
    const float* src = x + n * d.inPlane();
    if (!d.direct()) {
      im2col(d, src, col);
      src = col;
    }
    gemm(false, true, d.O, CKK, OHW, 1.0f, dy + n * d.outPlane(), src, (acc || n > 0) ? 1.0f : 0.0f, dw);
  }
  if (d.N == 0 && !acc) std::fill(dw, dw + d.O * d.colRows(), 0.0f);
  if (db) {
    if (!acc) std::fill(db, db + d.O, 0.0f);
    for (int n = 0; n < d.N; ++n)
      for (int o = 0; o < d.O; ++o) {
        db[o] += static_cast<float>(sumPlane(dy + n * d.outPlane() + static_cast<size_t>(o) * OHW, OHW));
      }
  }
}

}  // namespace tl
