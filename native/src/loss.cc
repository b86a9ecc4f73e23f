// Losses: fused, numerically stable softmax cross-entropy (log-sum-exp with the row max subtracted) and MSE.
#include "tl.h"
#include <cmath>

namespace tl {

// softmaxCrossEntropyForward(logits[N,C], labels:Int32Array[N], probs[N,C], N, C) -> mean loss
static Napi::Value SoftmaxCEForward(const Napi::CallbackInfo& info) {
  Args a(info, "softmaxCrossEntropyForward");
  size_t N = a.integer(3, "N", 1), C = a.integer(4, "C", 1);
  float* z = a.f32(0, N * C, "logits");
  int32_t* y = a.i32(1, N, "labels");
  float* p = a.f32(2, N * C, "probs");
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    if (y[i] < 0 || static_cast<size_t>(y[i]) >= C)
      a.fail("label " + std::to_string(y[i]) + " out of range [0, " + std::to_string(C) + ")");
    const float* zi = z + i * C;
    float* pi = p + i * C;
    float mx = zi[0];
    for (size_t j = 1; j < C; ++j) mx = zi[j] > mx ? zi[j] : mx;
    double s = 0;
    for (size_t j = 0; j < C; ++j) { float e = std::exp(zi[j] - mx); pi[j] = e; s += e; }
    float inv = static_cast<float>(1.0 / s);
    for (size_t j = 0; j < C; ++j) pi[j] *= inv;
    total += std::log(s) + mx - zi[y[i]];
  }
  return Napi::Number::New(info.Env(), total / N);
}

// softmaxCrossEntropyBackward(probs, labels, dlogits, N, C, gradOut): dlogits = (p - onehot) * gradOut / N
static Napi::Value SoftmaxCEBackward(const Napi::CallbackInfo& info) {
  Args a(info, "softmaxCrossEntropyBackward");
  size_t N = a.integer(3, "N", 1), C = a.integer(4, "C", 1);
  float g = static_cast<float>(a.number(5, "gradOut") / N);
  float* p = a.f32(0, N * C, "probs");
  int32_t* y = a.i32(1, N, "labels");
  float* dz = a.f32(2, N * C, "dlogits");
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < C; ++j) dz[i * C + j] = p[i * C + j] * g;
    dz[i * C + y[i]] -= g;
  }
  return info.Env().Undefined();
}

// countCorrect(logits[N,C], labels, N, C) -> number of rows whose argmax equals the label
static Napi::Value CountCorrect(const Napi::CallbackInfo& info) {
  Args a(info, "countCorrect");
  size_t N = a.integer(2, "N"), C = a.integer(3, "C", 1);
  float* z = a.f32(0, N * C, "logits");
  int32_t* y = a.i32(1, N, "labels");
  size_t correct = 0;
  for (size_t i = 0; i < N; ++i) {
    const float* zi = z + i * C;
    size_t best = 0;
    for (size_t j = 1; j < C; ++j) if (zi[j] > zi[best]) best = j;
    if (static_cast<int32_t>(best) == y[i]) ++correct;
  }
  return Napi::Number::New(info.Env(), static_cast<double>(correct));
}

// mseForward(pred, target, n) -> mean squared error
static Napi::Value MseForward(const Napi::CallbackInfo& info) {
  Args a(info, "mseForward");
  size_t n = a.integer(2, "n", 1);
  float* p = a.f32(0, n, "pred");
  float* t = a.f32(1, n, "target");
  double s = 0;
  for (size_t i = 0; i < n; ++i) { double d = static_cast<double>(p[i]) - t[i]; s += d * d; }
  return Napi::Number::New(info.Env(), s / n);
}

// mseBackward(pred, target, dpred, n, gradOut): dpred = 2 (pred - target) gradOut / n
static Napi::Value MseBackward(const Napi::CallbackInfo& info) {
  Args a(info, "mseBackward");
  size_t n = a.integer(3, "n", 1);
  float* p = a.f32(0, n, "pred");
  float* t = a.f32(1, n, "target");
  float* d = a.f32(2, n, "dpred");
  float k = static_cast<float>(2.0 * a.number(4, "gradOut") / n);
  for (size_t i = 0; i < n; ++i) d[i] = k * (p[i] - t[i]);
  return info.Env().Undefined();
}

void registerLoss(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxCrossEntropyForward", Napi::Function::New(env, SoftmaxCEForward));
  exports.Set("softmaxCrossEntropyBackward", Napi::Function::New(env, SoftmaxCEBackward));
  exports.Set("countCorrect", Napi::Function::New(env, CountCorrect));
  exports.Set("mseForward", Napi::Function::New(env, MseForward));
  exports.Set("mseBackward", Napi::Function::New(env, MseBackward));
}

}  // namespace tl
