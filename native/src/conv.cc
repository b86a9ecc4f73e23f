// 2-D convolution (NCHW input, OIHW weight). Stride-1 passes go to the direct AVX-512 kernels in convk.cc when
// the build has them and the shape suits them (conv2dUsesDirect tells which); everything else runs by im2col +
// GEMM, one image at a time so the column buffer stays small (C*KH*KW x OH*OW floats) and each GEMM is large
// enough to run at full BLAS speed.
#include "tl.h"
#include "convk.h"
#include <algorithm>
#include <cstring>
#include <vector>

namespace tl {

struct ConvDims {
  int N, C, H, W, O, KH, KW, stride, pad, OH, OW;
  size_t inPlane() const { return static_cast<size_t>(C) * H * W; }
  size_t outPlane() const { return static_cast<size_t>(O) * OH * OW; }
  size_t colRows() const { return static_cast<size_t>(C) * KH * KW; }
  size_t colCols() const { return static_cast<size_t>(OH) * OW; }
  bool direct() const { return KH == 1 && KW == 1 && stride == 1 && pad == 0; }
};

// Reads dims from arguments [first .. first+8]: N, C, H, W, O, KH, KW, stride, pad.
static ConvDims readDims(const Args& a, size_t first) {
  ConvDims d;
  d.N = a.integer(first, "N");
  d.C = a.integer(first + 1, "C", 1);
  d.H = a.integer(first + 2, "H", 1);
  d.W = a.integer(first + 3, "W", 1);
  d.O = a.integer(first + 4, "O", 1);
  d.KH = a.integer(first + 5, "KH", 1);
  d.KW = a.integer(first + 6, "KW", 1);
  d.stride = a.integer(first + 7, "stride", 1);
  d.pad = a.integer(first + 8, "pad", 0);
  if (d.H + 2 * d.pad < d.KH || d.W + 2 * d.pad < d.KW) a.fail("kernel larger than padded input");
  d.OH = (d.H + 2 * d.pad - d.KH) / d.stride + 1;
  d.OW = (d.W + 2 * d.pad - d.KW) / d.stride + 1;
  return d;
}

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
          if (ih < 0 || ih >= d.H) { std::fill(r, r + d.OW, 0.0f); continue; }
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

// Which implementation runs: 0 = choose (direct kernels where they apply), 1 = always im2col + GEMM.
static int g_algo = 0;

static convk::Shape directShape(const ConvDims& d) {
  return convk::Shape{d.N, d.C, d.H, d.W, d.O, d.KH, d.KW, d.pad, d.OH, d.OW};
}

enum class Pass { Forward, BackwardData, BackwardFilter };

static bool useDirect(const ConvDims& d, Pass pass) {
  if (g_algo != 0 || !convk::compiled() || d.stride != 1 || d.N == 0) return false;
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

// conv2dForward(x, w, b|null, y, N, C, H, W, O, KH, KW, stride, pad)
static Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dForward");
  ConvDims d = readDims(a, 4);
  float* x = a.f32(0, d.N * d.inPlane(), "x");
  float* w = a.f32(1, d.O * d.colRows(), "weight");
  float* b = a.f32(2, d.O, "bias", true);
  float* y = a.f32(3, d.N * d.outPlane(), "y");
  if (useDirect(d, Pass::Forward)) {
    convk::forward(directShape(d), x, w, b, y, getThreads());
    return info.Env().Undefined();
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  float* col = d.direct() ? nullptr : colBuffer(d);
  for (int n = 0; n < d.N; ++n) {
    const float* xn = x + n * d.inPlane();
    float* yn = y + n * d.outPlane();
    const float* src = xn;
    if (!d.direct()) { im2col(d, xn, col); src = col; }
    if (b) {
      for (int o = 0; o < d.O; ++o) std::fill(yn + static_cast<size_t>(o) * OHW, yn + static_cast<size_t>(o + 1) * OHW, b[o]);
      gemm(false, false, d.O, OHW, CKK, 1.0f, w, src, 1.0f, yn);
    } else {
      gemm(false, false, d.O, OHW, CKK, 1.0f, w, src, 0.0f, yn);
    }
  }
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, w, dx, N, C, H, W, O, KH, KW, stride, pad): dx overwritten
static Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardData");
  ConvDims d = readDims(a, 3);
  float* dy = a.f32(0, d.N * d.outPlane(), "dy");
  float* w = a.f32(1, d.O * d.colRows(), "weight");
  float* dx = a.f32(2, d.N * d.inPlane(), "dx");
  if (useDirect(d, Pass::BackwardData)) {
    convk::backwardData(directShape(d), dy, w, dx, getThreads());
    return info.Env().Undefined();
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  if (d.direct()) {
    for (int n = 0; n < d.N; ++n)
      gemm(true, false, CKK, OHW, d.O, 1.0f, w, dy + n * d.outPlane(), 0.0f, dx + n * d.inPlane());
    return info.Env().Undefined();
  }
  float* col = colBuffer(d);
  std::fill(dx, dx + d.N * d.inPlane(), 0.0f);
  for (int n = 0; n < d.N; ++n) {
    gemm(true, false, CKK, OHW, d.O, 1.0f, w, dy + n * d.outPlane(), 0.0f, col);
    col2im(d, col, dx + n * d.inPlane());
  }
  return info.Env().Undefined();
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

// conv2dBackwardFilter(dy, x, dw, db|null, N, C, H, W, O, KH, KW, stride, pad, accumulate)
static Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardFilter");
  ConvDims d = readDims(a, 4);
  bool acc = a.boolean(13, "accumulate");
  float* dy = a.f32(0, d.N * d.outPlane(), "dy");
  float* x = a.f32(1, d.N * d.inPlane(), "x");
  float* dw = a.f32(2, d.O * d.colRows(), "dw");
  float* db = a.f32(3, d.O, "db", true);
  if (useDirect(d, Pass::BackwardFilter)) {
    convk::backwardFilter(directShape(d), dy, x, dw, db, acc, getThreads());
    return info.Env().Undefined();
  }
  const int OHW = d.OH * d.OW, CKK = static_cast<int>(d.colRows());
  float* col = d.direct() ? nullptr : colBuffer(d);
  for (int n = 0; n < d.N; ++n) {
    const float* src = x + n * d.inPlane();
    if (!d.direct()) { im2col(d, src, col); src = col; }
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
  return info.Env().Undefined();
}

// conv2dSetAlgorithm('auto' | 'im2col'): 'im2col' forces im2col + GEMM everywhere (for tests and comparisons).
// Returns the previous setting.
static Napi::Value Conv2dSetAlgorithm(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dSetAlgorithm");
  if (a.isNull(0) || !info[0].IsString()) a.fail("algorithm must be 'auto' or 'im2col'");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string prev = g_algo == 0 ? "auto" : "im2col";
  if (name == "auto") g_algo = 0;
  else if (name == "im2col") g_algo = 1;
  else a.fail("algorithm must be 'auto' or 'im2col', got '" + name + "'");
  return Napi::String::New(info.Env(), prev);
}

// conv2dUsesDirect(N, C, H, W, O, KH, KW, stride, pad): which passes run on the direct kernels now, as
// { forward, backwardData, backwardFilter } booleans.
static Napi::Value Conv2dUsesDirect(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dUsesDirect");
  ConvDims d = readDims(a, 0);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("forward", useDirect(d, Pass::Forward));
  o.Set("backwardData", useDirect(d, Pass::BackwardData));
  o.Set("backwardFilter", useDirect(d, Pass::BackwardFilter));
  return o;
}

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dSetAlgorithm", Napi::Function::New(env, Conv2dSetAlgorithm));
  exports.Set("conv2dUsesDirect", Napi::Function::New(env, Conv2dUsesDirect));
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, Conv2dBackwardFilter));
}

}  // namespace tl
