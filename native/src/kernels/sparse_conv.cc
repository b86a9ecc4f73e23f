// Sparse convolution kernels (sparse_conv.h).
#include "kernels/sparse_conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/conv.h"
#include "kernels/parallel.h"

namespace tl {

static void padImage(const SparseConvDims& s, const float* x, float* xp) {
  std::fill(xp, xp + static_cast<size_t>(s.C) * s.HP * s.WP, 0.0f);
  for (int c = 0; c < s.C; ++c)
    for (int h = 0; h < s.H; ++h)
      std::memcpy(xp + (static_cast<size_t>(c) * s.HP + h + s.pad) * s.WP + s.pad,
                  x + (static_cast<size_t>(c) * s.H + h) * s.W, sizeof(float) * s.W);
}

static thread_local std::vector<float> t_pad;

// Threads for a call: images are independent, and a share must be worth more than handing it over.
static int convThreads(const SparseConvDims& s, size_t nnz) {
  const double fmas = static_cast<double>(nnz) * s.OH * s.OW * s.N;
  return fmas < 1e6 ? 1 : std::max(1, std::min(getThreads(), s.N));
}

void sparseConv2dForward(SparseConvDims s, const Csr& csr, const float* val, const float* b, const float* x, float* y) {
  const size_t inP = static_cast<size_t>(s.C) * s.H * s.W, outHW = static_cast<size_t>(s.OH) * s.OW;
  const int KK = s.K * s.K;
  const int T = convThreads(s, csr.nnz);
  parallelRun(T, [&](int t) {
    t_pad.resize(static_cast<size_t>(s.C) * s.HP * s.WP);
    float* xp = t_pad.data();
    for (int n = static_cast<int>(rangeStart(s.N, t, T)); n < static_cast<int>(rangeStart(s.N, t + 1, T)); ++n) {
      padImage(s, x + n * inP, xp);
      float* yn = y + n * s.O * outHW;
      for (int o = 0; o < s.O; ++o) {
        float* yo = yn + o * outHW;
        std::fill(yo, yo + outHW, b ? b[o] : 0.0f);
        for (int32_t k = csr.rowPtr[o]; k < csr.rowPtr[o + 1]; ++k) {
          const int c = csr.col[k] / KK, r = csr.col[k] % KK, kh = r / s.K, kw = r % s.K;
          const float w = val[k];
          const float* src = xp + (static_cast<size_t>(c) * s.HP + kh) * s.WP + kw;
          for (int oh = 0; oh < s.OH; ++oh) {
            float* __restrict dst = yo + static_cast<size_t>(oh) * s.OW;
            const float* __restrict xr = src + static_cast<size_t>(oh) * s.WP;
            for (int ow = 0; ow < s.OW; ++ow) dst[ow] += w * xr[ow];
          }
        }
      }
    }
  });
}

void sparseConv2dBackward(SparseConvDims s, const Csr& csr, const float* val, const float* x, const float* dy,
                          float* dx, float* dval, float* db, bool acc) {
  const size_t inP = static_cast<size_t>(s.C) * s.H * s.W, outHW = static_cast<size_t>(s.OH) * s.OW;
  const size_t padP = static_cast<size_t>(s.C) * s.HP * s.WP;
  const int KK = s.K * s.K;
  if (dval && !acc) std::fill(dval, dval + csr.nnz, 0.0f);
  if (db && !acc) std::fill(db, db + s.O, 0.0f);
  // Images split across threads: the input gradient is per image, but every image adds into the weight and bias
  // gradients, so threads other than the first sum theirs in private buffers that are added in afterwards.
  const int T = convThreads(s, csr.nnz);
  std::vector<std::vector<float>> partial(T);
  parallelRun(T, [&](int t) {
    float* dv = dval;
    float* dbt = db;
    if (t > 0) {
      partial[t].assign((dval ? csr.nnz : 0) + (db ? s.O : 0), 0.0f);
      dv = dval ? partial[t].data() : nullptr;
      dbt = db ? partial[t].data() + (dval ? csr.nnz : 0) : nullptr;
    }
    std::vector<float> dxp(dx ? padP : 0);
    t_pad.resize(padP);
    float* xp = t_pad.data();
    for (int n = static_cast<int>(rangeStart(s.N, t, T)); n < static_cast<int>(rangeStart(s.N, t + 1, T)); ++n) {
      if (dv) padImage(s, x + n * inP, xp);
      if (dx) std::fill(dxp.begin(), dxp.end(), 0.0f);
      const float* dyn = dy + n * s.O * outHW;
      for (int o = 0; o < s.O; ++o) {
        const float* go = dyn + o * outHW;
        if (dbt) dbt[o] += static_cast<float>(sumPlane(go, static_cast<int>(outHW)));
        for (int32_t k = csr.rowPtr[o]; k < csr.rowPtr[o + 1]; ++k) {
          const int c = csr.col[k] / KK, r = csr.col[k] % KK, kh = r / s.K, kw = r % s.K;
          const size_t off = (static_cast<size_t>(c) * s.HP + kh) * s.WP + kw;
          if (dv) {
            float part[16] = {0};
            float tot = 0;
            for (int oh = 0; oh < s.OH; ++oh) {
              const float* __restrict g = go + static_cast<size_t>(oh) * s.OW;
              const float* __restrict xr = xp + off + static_cast<size_t>(oh) * s.WP;
              int ow = 0;
              for (; ow + 16 <= s.OW; ow += 16)
                for (int l = 0; l < 16; ++l) part[l] += g[ow + l] * xr[ow + l];
              for (; ow < s.OW; ++ow) tot += g[ow] * xr[ow];
            }
            for (int l = 0; l < 16; ++l) tot += part[l];
            dv[k] += tot;
          }
          if (dx) {
            const float w = val[k];
            for (int oh = 0; oh < s.OH; ++oh) {
              const float* __restrict g = go + static_cast<size_t>(oh) * s.OW;
              float* __restrict d = dxp.data() + off + static_cast<size_t>(oh) * s.WP;
              for (int ow = 0; ow < s.OW; ++ow) d[ow] += w * g[ow];
            }
          }
        }
      }
      if (dx) {
        float* dxn = dx + n * inP;
        for (int c = 0; c < s.C; ++c)
          for (int h = 0; h < s.H; ++h)
            std::memcpy(dxn + (static_cast<size_t>(c) * s.H + h) * s.W,
                        dxp.data() + (static_cast<size_t>(c) * s.HP + h + s.pad) * s.WP + s.pad, sizeof(float) * s.W);
      }
    }
  });
  for (int t = 1; t < T; ++t) {
    const float* p = partial[t].data();
    if (dval)
      for (size_t k = 0; k < csr.nnz; ++k) dval[k] += p[k];
    if (db)
      for (int o = 0; o < s.O; ++o) db[o] += p[(dval ? csr.nnz : 0) + o];
  }
}

}  // namespace tl
