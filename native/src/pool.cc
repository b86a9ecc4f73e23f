// Max and average pooling over NCHW planes. Max pooling records the argmax (index within the input plane)
// so the backward pass is a scatter; average pooling counts padding like PyTorch's default.
#include "tl.h"
#include <algorithm>
#include <limits>

namespace tl {

struct PoolDims {
  int N, C, H, W, K, stride, pad, OH, OW;
  size_t planes() const { return static_cast<size_t>(N) * C; }
};

static PoolDims readPool(const Args& a, size_t first) {
  PoolDims d;
  d.N = a.integer(first, "N");
  d.C = a.integer(first + 1, "C", 1);
  d.H = a.integer(first + 2, "H", 1);
  d.W = a.integer(first + 3, "W", 1);
  d.K = a.integer(first + 4, "kernel", 1);
  d.stride = a.integer(first + 5, "stride", 1);
  d.pad = a.integer(first + 6, "pad", 0);
  if (d.pad * 2 > d.K) a.fail("padding must be at most half the kernel size");
  if (d.H + 2 * d.pad < d.K || d.W + 2 * d.pad < d.K) a.fail("kernel larger than padded input");
  d.OH = (d.H + 2 * d.pad - d.K) / d.stride + 1;
  d.OW = (d.W + 2 * d.pad - d.K) / d.stride + 1;
  return d;
}

// maxPool2dForward(x, y, argmax:Int32Array, N, C, H, W, kernel, stride, pad)
static Napi::Value MaxPoolForward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool2dForward");
  PoolDims d = readPool(a, 3);
  size_t inP = static_cast<size_t>(d.H) * d.W, outP = static_cast<size_t>(d.OH) * d.OW;
  float* x = a.f32(0, d.planes() * inP, "x");
  float* y = a.f32(1, d.planes() * outP, "y");
  int32_t* idx = a.i32(2, d.planes() * outP, "argmax");
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* xp = x + p * inP;
    float* yp = y + p * outP;
    int32_t* ip = idx + p * outP;
    for (int oh = 0; oh < d.OH; ++oh)
      for (int ow = 0; ow < d.OW; ++ow) {
        int h0 = oh * d.stride - d.pad, w0 = ow * d.stride - d.pad;
        float best = -std::numeric_limits<float>::infinity();
        int bi = -1;
        for (int kh = 0; kh < d.K; ++kh) {
          int ih = h0 + kh;
          if (ih < 0 || ih >= d.H) continue;
          for (int kw = 0; kw < d.K; ++kw) {
            int iw = w0 + kw;
            if (iw < 0 || iw >= d.W) continue;
            float v = xp[ih * d.W + iw];
            if (v > best || bi < 0 || v != v) { best = v; bi = ih * d.W + iw; }
          }
        }
        yp[oh * d.OW + ow] = best;
        ip[oh * d.OW + ow] = bi;
      }
  }
  return info.Env().Undefined();
}

// maxPool2dBackward(dy, argmax, dx, N, C, H, W, kernel, stride, pad): dx overwritten
static Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool2dBackward");
  PoolDims d = readPool(a, 3);
  size_t inP = static_cast<size_t>(d.H) * d.W, outP = static_cast<size_t>(d.OH) * d.OW;
  float* dy = a.f32(0, d.planes() * outP, "dy");
  int32_t* idx = a.i32(1, d.planes() * outP, "argmax");
  float* dx = a.f32(2, d.planes() * inP, "dx");
  std::fill(dx, dx + d.planes() * inP, 0.0f);
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* g = dy + p * outP;
    const int32_t* ip = idx + p * outP;
    float* dp = dx + p * inP;
    for (size_t o = 0; o < outP; ++o) {
      int32_t i = ip[o];
      if (i < 0 || static_cast<size_t>(i) >= inP) a.fail("argmax index out of range");
      dp[i] += g[o];
    }
  }
  return info.Env().Undefined();
}

// avgPool2dForward(x, y, N, C, H, W, kernel, stride, pad)
static Napi::Value AvgPoolForward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool2dForward");
  PoolDims d = readPool(a, 2);
  size_t inP = static_cast<size_t>(d.H) * d.W, outP = static_cast<size_t>(d.OH) * d.OW;
  float* x = a.f32(0, d.planes() * inP, "x");
  float* y = a.f32(1, d.planes() * outP, "y");
  const float inv = 1.0f / (d.K * d.K);
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* xp = x + p * inP;
    float* yp = y + p * outP;
    for (int oh = 0; oh < d.OH; ++oh)
      for (int ow = 0; ow < d.OW; ++ow) {
        int h0 = oh * d.stride - d.pad, w0 = ow * d.stride - d.pad;
        double s = 0;
        for (int ih = std::max(0, h0); ih < std::min(d.H, h0 + d.K); ++ih)
          for (int iw = std::max(0, w0); iw < std::min(d.W, w0 + d.K); ++iw) s += xp[ih * d.W + iw];
        yp[oh * d.OW + ow] = static_cast<float>(s) * inv;
      }
  }
  return info.Env().Undefined();
}

// avgPool2dBackward(dy, dx, N, C, H, W, kernel, stride, pad): dx overwritten
static Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool2dBackward");
  PoolDims d = readPool(a, 2);
  size_t inP = static_cast<size_t>(d.H) * d.W, outP = static_cast<size_t>(d.OH) * d.OW;
  float* dy = a.f32(0, d.planes() * outP, "dy");
  float* dx = a.f32(1, d.planes() * inP, "dx");
  std::fill(dx, dx + d.planes() * inP, 0.0f);
  const float inv = 1.0f / (d.K * d.K);
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* g = dy + p * outP;
    float* dp = dx + p * inP;
    for (int oh = 0; oh < d.OH; ++oh)
      for (int ow = 0; ow < d.OW; ++ow) {
        int h0 = oh * d.stride - d.pad, w0 = ow * d.stride - d.pad;
        float v = g[oh * d.OW + ow] * inv;
        for (int ih = std::max(0, h0); ih < std::min(d.H, h0 + d.K); ++ih)
          for (int iw = std::max(0, w0); iw < std::min(d.W, w0 + d.K); ++iw) dp[ih * d.W + iw] += v;
      }
  }
  return info.Env().Undefined();
}

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool2dForward", Napi::Function::New(env, MaxPoolForward));
  exports.Set("maxPool2dBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("avgPool2dForward", Napi::Function::New(env, AvgPoolForward));
  exports.Set("avgPool2dBackward", Napi::Function::New(env, AvgPoolBackward));
}

}  // namespace tl
