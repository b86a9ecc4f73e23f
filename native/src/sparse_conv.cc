// Sparse 2-D convolution for pruned conv layers (stride 1, any padding): the weight is CSR over rows o and
// columns (c, kh, kw); each non-zero adds a shifted plane of the zero-padded input to an output plane, row by row,
// so the work is (non-zeros × output pixels) with contiguous, vectorized rows and no im2col buffer.
#include "tl.h"
#include "parallel.h"
#include <algorithm>
#include <cstring>
#include <vector>

namespace tl {

struct SConv {
  int N, C, H, W, O, K, pad, OH, OW, HP, WP;
  const int32_t* rowPtr;
  const int32_t* col;
  size_t nnz;
};

static SConv readSConv(const Args& a, size_t first) {
  SConv s;
  s.N = a.integer(first + 2, "N", 1);
  s.C = a.integer(first + 3, "C", 1);
  s.H = a.integer(first + 4, "H", 1);
  s.W = a.integer(first + 5, "W", 1);
  s.O = a.integer(first + 6, "O", 1);
  s.K = a.integer(first + 7, "K", 1);
  s.pad = a.integer(first + 8, "pad", 0);
  s.rowPtr = a.i32(first, static_cast<size_t>(s.O) + 1, "rowPtr");
  s.nnz = static_cast<size_t>(s.rowPtr[s.O]);
  s.col = a.i32(first + 1, s.nnz, "colIdx");
  s.HP = s.H + 2 * s.pad;
  s.WP = s.W + 2 * s.pad;
  if (s.HP < s.K || s.WP < s.K) a.fail("kernel larger than padded input");
  s.OH = s.HP - s.K + 1;
  s.OW = s.WP - s.K + 1;
  const int cols = s.C * s.K * s.K;
  if (s.rowPtr[0] != 0) a.fail("rowPtr[0] must be 0");
  for (int o = 0; o < s.O; ++o)
    if (s.rowPtr[o + 1] < s.rowPtr[o]) a.fail("rowPtr must be non-decreasing");
  for (size_t k = 0; k < s.nnz; ++k)
    if (s.col[k] < 0 || s.col[k] >= cols) a.fail("column index out of range");
  return s;
}

static void padImage(const SConv& s, const float* x, float* xp) {
  std::fill(xp, xp + static_cast<size_t>(s.C) * s.HP * s.WP, 0.0f);
  for (int c = 0; c < s.C; ++c)
    for (int h = 0; h < s.H; ++h)
      std::memcpy(xp + (static_cast<size_t>(c) * s.HP + h + s.pad) * s.WP + s.pad, x + (static_cast<size_t>(c) * s.H + h) * s.W, sizeof(float) * s.W);
}

static thread_local std::vector<float> t_pad;

// Threads for a call: images are independent, and a share must be worth more than handing it over.
static int convThreads(const SConv& s) {
  const double fmas = static_cast<double>(s.nnz) * s.OH * s.OW * s.N;
  return fmas < 1e6 ? 1 : std::max(1, std::min(getThreads(), s.N));
}

// Argument order of both calls: rowPtr, colIdx, N, C, H, W, O, K, pad, then the arrays.
// sparseConv2dForward(..., values, bias|null, x[N,C,H,W], y[N,O,OH,OW])
static Napi::Value SparseConvForward(const Napi::CallbackInfo& info) {
  Args a(info, "sparseConv2dForward");
  SConv s = readSConv(a, 0);
  const size_t inP = static_cast<size_t>(s.C) * s.H * s.W, outHW = static_cast<size_t>(s.OH) * s.OW;
  const float* val = a.f32(9, s.nnz, "values");
  const float* b = a.f32(10, s.O, "bias", true);
  const float* x = a.f32(11, s.N * inP, "x");
  float* y = a.f32(12, s.N * s.O * outHW, "y");
  const int KK = s.K * s.K;
  const int T = convThreads(s);
  parallelRun(T, [&](int t) {
    t_pad.resize(static_cast<size_t>(s.C) * s.HP * s.WP);
    float* xp = t_pad.data();
    for (int n = static_cast<int>(rangeStart(s.N, t, T)); n < static_cast<int>(rangeStart(s.N, t + 1, T)); ++n) {
      padImage(s, x + n * inP, xp);
      float* yn = y + n * s.O * outHW;
      for (int o = 0; o < s.O; ++o) {
        float* yo = yn + o * outHW;
        std::fill(yo, yo + outHW, b ? b[o] : 0.0f);
        for (int32_t k = s.rowPtr[o]; k < s.rowPtr[o + 1]; ++k) {
          const int c = s.col[k] / KK, r = s.col[k] % KK, kh = r / s.K, kw = r % s.K;
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
  return info.Env().Undefined();
}

// sparseConv2dBackward(..., values, x, dy, dx|null, dValues|null, dBias|null, accumulate)
// dx is overwritten; dValues and dBias are overwritten or, with accumulate, added to.
static Napi::Value SparseConvBackward(const Napi::CallbackInfo& info) {
  Args a(info, "sparseConv2dBackward");
  SConv s = readSConv(a, 0);
  const size_t inP = static_cast<size_t>(s.C) * s.H * s.W, outHW = static_cast<size_t>(s.OH) * s.OW;
  const size_t padP = static_cast<size_t>(s.C) * s.HP * s.WP;
  const float* val = a.f32(9, s.nnz, "values");
  const float* x = a.f32(10, s.N * inP, "x");
  const float* dy = a.f32(11, s.N * s.O * outHW, "dy");
  float* dx = a.f32(12, s.N * inP, "dx", true);
  float* dval = a.f32(13, s.nnz, "dValues", true);
  float* db = a.f32(14, s.O, "dBias", true);
  const bool acc = a.boolean(15, "accumulate");
  const int KK = s.K * s.K;
  if (dval && !acc) std::fill(dval, dval + s.nnz, 0.0f);
  if (db && !acc) std::fill(db, db + s.O, 0.0f);
  // Images split across threads: the input gradient is per image, but every image adds into the weight and bias
  // gradients, so threads other than the first sum theirs in private buffers that are added in afterwards.
  const int T = convThreads(s);
  std::vector<std::vector<float>> partial(T);
  parallelRun(T, [&](int t) {
    float* dv = dval;
    float* dbt = db;
    if (t > 0) {
      partial[t].assign((dval ? s.nnz : 0) + (db ? s.O : 0), 0.0f);
      dv = dval ? partial[t].data() : nullptr;
      dbt = db ? partial[t].data() + (dval ? s.nnz : 0) : nullptr;
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
        for (int32_t k = s.rowPtr[o]; k < s.rowPtr[o + 1]; ++k) {
          const int c = s.col[k] / KK, r = s.col[k] % KK, kh = r / s.K, kw = r % s.K;
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
            std::memcpy(dxn + (static_cast<size_t>(c) * s.H + h) * s.W, dxp.data() + (static_cast<size_t>(c) * s.HP + h + s.pad) * s.WP + s.pad, sizeof(float) * s.W);
      }
    }
  });
  for (int t = 1; t < T; ++t) {
    const float* p = partial[t].data();
    if (dval)
      for (size_t k = 0; k < s.nnz; ++k) dval[k] += p[k];
    if (db)
      for (int o = 0; o < s.O; ++o) db[o] += p[(dval ? s.nnz : 0) + o];
  }
  return info.Env().Undefined();
}

void registerSparseConv(Napi::Env env, Napi::Object exports) {
  exports.Set("sparseConv2dForward", Napi::Function::New(env, SparseConvForward));
  exports.Set("sparseConv2dBackward", Napi::Function::New(env, SparseConvBackward));
}

}  // namespace tl
