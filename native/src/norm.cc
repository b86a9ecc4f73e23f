// Batch normalization over (N, C, HW): statistics per channel C across the batch and spatial positions.
// Batch norm for fully connected layers is the HW = 1 case. Running statistics follow PyTorch
// (momentum-weighted, unbiased variance in the running estimate, biased variance for normalizing).
#include "tl.h"
#include <cmath>

namespace tl {

struct BnDims { int N, C, HW; size_t total() const { return static_cast<size_t>(N) * C * HW; } };
static BnDims readBn(const Args& a, size_t first) {
  return BnDims{static_cast<int>(a.integer(first, "N", 1)), static_cast<int>(a.integer(first + 1, "C", 1)),
                static_cast<int>(a.integer(first + 2, "HW", 1))};
}

// batchNormForward(x, gamma, beta, y, mean, invstd, runMean, runVar, N, C, HW, training, momentum, eps)
// Training: normalizes with batch statistics, stores them in mean/invstd and updates the running ones.
// Eval: normalizes with running statistics and stores those in mean/invstd (so backward is uniform).
static Napi::Value BatchNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormForward");
  BnDims d = readBn(a, 8);
  bool training = a.boolean(11, "training");
  double momentum = a.number(12, "momentum"), eps = a.number(13, "eps");
  float* x = a.f32(0, d.total(), "x");
  float* gamma = a.f32(1, d.C, "gamma");
  float* beta = a.f32(2, d.C, "beta");
  float* y = a.f32(3, d.total(), "y");
  float* mean = a.f32(4, d.C, "mean");
  float* invstd = a.f32(5, d.C, "invstd");
  float* rm = a.f32(6, d.C, "runningMean");
  float* rv = a.f32(7, d.C, "runningVar");
  const size_t M = static_cast<size_t>(d.N) * d.HW;
  if (training && M < 2) a.fail("batch norm in training mode needs more than one value per channel");
  for (int c = 0; c < d.C; ++c) {
    double mu, var;
    if (training) {
      double s = 0;
      for (int n = 0; n < d.N; ++n) {
        const float* p = x + (static_cast<size_t>(n) * d.C + c) * d.HW;
        for (int i = 0; i < d.HW; ++i) s += p[i];
      }
      mu = s / M;
      double q = 0;
      for (int n = 0; n < d.N; ++n) {
        const float* p = x + (static_cast<size_t>(n) * d.C + c) * d.HW;
        for (int i = 0; i < d.HW; ++i) { double t = p[i] - mu; q += t * t; }
      }
      var = q / M;
      rm[c] = static_cast<float>((1 - momentum) * rm[c] + momentum * mu);
      rv[c] = static_cast<float>((1 - momentum) * rv[c] + momentum * var * M / (M - 1));
    } else {
      mu = rm[c];
      var = rv[c];
    }
    float is = static_cast<float>(1.0 / std::sqrt(var + eps));
    mean[c] = static_cast<float>(mu);
    invstd[c] = is;
    float scale = gamma[c] * is, shift = beta[c] - static_cast<float>(mu) * scale;
    for (int n = 0; n < d.N; ++n) {
      size_t off = (static_cast<size_t>(n) * d.C + c) * d.HW;
      for (int i = 0; i < d.HW; ++i) y[off + i] = x[off + i] * scale + shift;
    }
  }
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, gamma, mean, invstd, dx|null, dgamma, dbeta, N, C, HW, training, accumulate)
static Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormBackward");
  BnDims d = readBn(a, 8);
  bool training = a.boolean(11, "training"), acc = a.boolean(12, "accumulate");
  float* dy = a.f32(0, d.total(), "dy");
  float* x = a.f32(1, d.total(), "x");
  float* gamma = a.f32(2, d.C, "gamma");
  float* mean = a.f32(3, d.C, "mean");
  float* invstd = a.f32(4, d.C, "invstd");
  float* dx = a.f32(5, d.total(), "dx", true);
  float* dgamma = a.f32(6, d.C, "dgamma");
  float* dbeta = a.f32(7, d.C, "dbeta");
  const double M = static_cast<double>(d.N) * d.HW;
  for (int c = 0; c < d.C; ++c) {
    double sg = 0, sgx = 0;
    const double mu = mean[c], is = invstd[c];
    for (int n = 0; n < d.N; ++n) {
      size_t off = (static_cast<size_t>(n) * d.C + c) * d.HW;
      for (int i = 0; i < d.HW; ++i) { sg += dy[off + i]; sgx += dy[off + i] * (x[off + i] - mu) * is; }
    }
    dgamma[c] = static_cast<float>((acc ? dgamma[c] : 0.0) + sgx);
    dbeta[c] = static_cast<float>((acc ? dbeta[c] : 0.0) + sg);
    if (!dx) continue;
    const double k = gamma[c] * is;
    for (int n = 0; n < d.N; ++n) {
      size_t off = (static_cast<size_t>(n) * d.C + c) * d.HW;
      for (int i = 0; i < d.HW; ++i) {
        if (training) {
          double xh = (x[off + i] - mu) * is;
          dx[off + i] = static_cast<float>(k * (dy[off + i] - sg / M - xh * sgx / M));
        } else {
          dx[off + i] = static_cast<float>(k * dy[off + i]);
        }
      }
    }
  }
  return info.Env().Undefined();
}

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormForward", Napi::Function::New(env, BatchNormForward));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward));
}

}  // namespace tl
