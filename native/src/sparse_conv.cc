// Sparse 2-D convolution for pruned conv layers (stride 1, any padding): the weight is CSR over rows o and
// columns (c, kh, kw); each non-zero adds a shifted plane of the zero-padded input to an output plane, row by row,
// so the work is (non-zeros × output pixels) with contiguous, vectorized rows and no im2col buffer.
#include "tl.h"
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
  t_pad.resize(static_cast<size_t>(s.C) * s.HP * s.WP);
  float* xp = t_pad.data();
  const int KK = s.K * s.K;
  for (int n = 0; n < s.N; ++n) {
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
  std::vector<float> dxp(dx ? padP : 0);
  t_pad.resize(padP);
  float* xp = t_pad.data();
  const int KK = s.K * s.K;
  if (dval && !acc) std::fill(dval, dval + s.nnz, 0.0f);
  if (db && !acc) std::fill(db, db + s.O, 0.0f);
  for (int n = 0; n < s.N; ++n) {
    if (dval) padImage(s, x + n * inP, xp);
    if (dx) std::fill(dxp.begin(), dxp.end(), 0.0f);
    const float* dyn = dy + n * s.O * outHW;
    for (int o = 0; o < s.O; ++o) {
      const float* go = dyn + o * outHW;
      if (db) {
        float part[16] = {0};
        size_t i = 0;
        for (; i + 16 <= outHW; i += 16)
          for (int l = 0; l < 16; ++l) part[l] += go[i + l];
        float t = 0;
        for (int l = 0; l < 16; ++l) t += part[l];
        for (; i < outHW; ++i) t += go[i];
        db[o] += t;
      }
      for (int32_t k = s.rowPtr[o]; k < s.rowPtr[o + 1]; ++k) {
        const int c = s.col[k] / KK, r = s.col[k] % KK, kh = r / s.K, kw = r % s.K;
        const size_t off = (static_cast<size_t>(c) * s.HP + kh) * s.WP + kw;
        if (dval) {
          float part[16] = {0};
          float t = 0;
          for (int oh = 0; oh < s.OH; ++oh) {
            const float* __restrict g = go + static_cast<size_t>(oh) * s.OW;
            const float* __restrict xr = xp + off + static_cast<size_t>(oh) * s.WP;
            int ow = 0;
            for (; ow + 16 <= s.OW; ow += 16)
              for (int l = 0; l < 16; ++l) part[l] += g[ow + l] * xr[ow + l];
            for (; ow < s.OW; ++ow) t += g[ow] * xr[ow];
          }
          for (int l = 0; l < 16; ++l) t += part[l];
          dval[k] += t;
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
  return info.Env().Undefined();
}

void registerSparseConv(Napi::Env env, Napi::Object exports) {
  exports.Set("sparseConv2dForward", Napi::Function::New(env, SparseConvForward));
  exports.Set("sparseConv2dBackward", Napi::Function::New(env, SparseConvBackward));
}

}  // namespace tl
