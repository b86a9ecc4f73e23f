// Batch normalization (norm.h).
#include "kernels/norm.h"

#include <cmath>

#include "kernels/error.h"

namespace tl {

void batchNormForward(BnDims d, const float* x, const float* gamma, const float* beta, float* y, float* mean,
                      float* invstd, float* rm, float* rv, bool training, double momentum, double eps) {
  const size_t M = static_cast<size_t>(d.N) * d.HW;
  if (training && M < 2) throw InputError("batch norm in training mode needs more than one value per channel");
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
        for (int i = 0; i < d.HW; ++i) {
          double t = p[i] - mu;
          q += t * t;
        }
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
}

void batchNormBackward(BnDims d, const float* dy, const float* x, const float* gamma, const float* mean,
                       const float* invstd, float* dx, float* dgamma, float* dbeta, bool training, bool acc) {
  const double M = static_cast<double>(d.N) * d.HW;
  for (int c = 0; c < d.C; ++c) {
    double sg = 0, sgx = 0;
    const double mu = mean[c], is = invstd[c];
    for (int n = 0; n < d.N; ++n) {
      size_t off = (static_cast<size_t>(n) * d.C + c) * d.HW;
      for (int i = 0; i < d.HW; ++i) {
        sg += dy[off + i];
        sgx += dy[off + i] * (x[off + i] - mu) * is;
      }
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
}

}  // namespace tl
