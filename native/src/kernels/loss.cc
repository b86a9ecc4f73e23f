// Loss kernels (loss.h).
#include "kernels/loss.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/error.h"
#include "kernels/fastmath.h"
#include "kernels/lanes.h"
#include "kernels/parallel.h"
#include "kernels/softmax.h"

namespace tl {

double softmaxCrossEntropyForward(const float* z, const int32_t* y, float* p, size_t N, size_t C) {
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    if (y[i] < 0 || static_cast<size_t>(y[i]) >= C)
      throw InputError("label " + std::to_string(y[i]) + " out of range [0, " + std::to_string(C) + ")");
    const float* zi = z + i * C;
    float* pi = p + i * C;
    float mx = zi[0];
    for (size_t j = 1; j < C; ++j) mx = zi[j] > mx ? zi[j] : mx;
    double s = 0;
    for (size_t j = 0; j < C; ++j) {
      float e = std::exp(zi[j] - mx);
      pi[j] = e;
      s += e;
    }
    float inv = static_cast<float>(1.0 / s);
    for (size_t j = 0; j < C; ++j) pi[j] *= inv;
    total += std::log(s) + mx - zi[y[i]];
  }
  return total / N;
}

void softmaxCrossEntropyBackward(const float* p, const int32_t* y, float* dz, size_t N, size_t C, double gradOut) {
  const float g = static_cast<float>(gradOut / N);
  for (size_t i = 0; i < N; ++i) {
    if (y[i] < 0 || static_cast<size_t>(y[i]) >= C)
      throw InputError("label " + std::to_string(y[i]) + " out of range [0, " + std::to_string(C) + ")");
    for (size_t j = 0; j < C; ++j) dz[i * C + j] = p[i * C + j] * g;
    dz[i * C + y[i]] -= g;
  }
}

namespace {

// Runs rows(first, last) over [0, N) on the kernel pool when the work pays for it.
template <class Rows>
void forEachRowRange(size_t N, size_t C, Rows rows) {
  const int T = N * C < (1u << 20) ? 1 : std::max(1, std::min<int>(getThreads(), static_cast<int>(N)));
  parallelRun(T, [&](int t) { rows(rangeStart(N, t, T), rangeStart(N, t + 1, T)); });
}

void checkTarget(int32_t t, size_t C) {
  if (t < 0 || static_cast<size_t>(t) >= C)
    throw InputError("target " + std::to_string(t) + " out of range [0, " + std::to_string(C) + ")");
}

// log(sum(exp(z - max))): the log-sum-exp less the row's max, kept apart so that (z - max) - logSum is exact at
// the max, where a confident row's loss and gradient are tiny.
double logSumShifted(const float* z, float mx, size_t C, bool float64) {
  if (float64) return logSumShifted64(z, C);
  return std::log(static_cast<double>(laneSum(C, [&](size_t j) { return expApprox(z[j] - mx); })));
}

float rowMax(const float* z, size_t C) { return *std::max_element(z, z + C); }

}  // namespace

double crossEntropyForward(const float* z, const int32_t* y, double* lse, size_t N, size_t C, int64_t ignoreIndex,
                           bool float64) {
  for (size_t i = 0; i < N; ++i)
    if (y[i] != ignoreIndex) checkTarget(y[i], C);
  std::vector<double> partial(N, 0.0);
  forEachRowRange(N, C, [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) {
      if (y[i] == ignoreIndex) continue;
      const float mx = rowMax(z + i * C, C);
      lse[i] = logSumShifted(z + i * C, mx, C, float64);
      partial[i] = (static_cast<double>(mx) - z[i * C + y[i]]) + lse[i];
    }
  });
  double total = 0;
  for (double p : partial) total += p;  // in row order, so the sum does not depend on the thread count
  return total;
}

void crossEntropyBackward(const float* z, const int32_t* y, const double* lse, float* dz, size_t N, size_t C,
                          int64_t ignoreIndex, double scale, bool float64) {
  for (size_t i = 0; i < N; ++i)
    if (y[i] != ignoreIndex) checkTarget(y[i], C);
  const float s = static_cast<float>(scale);
  forEachRowRange(N, C, [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) {
      const float* zi = z + i * C;
      float* di = dz + i * C;
      if (y[i] == ignoreIndex) {
        std::fill(di, di + C, 0.0f);
      } else if (float64) {
        const double mx = rowMax(zi, C);
        for (size_t j = 0; j < C; ++j) {
          const double p = std::exp((zi[j] - mx) - lse[i]);
          di[j] = static_cast<float>((p - (j == static_cast<size_t>(y[i]))) * scale);
        }
      } else {
        const float mx = rowMax(zi, C), l = static_cast<float>(lse[i]);
        for (size_t j = 0; j < C; ++j) di[j] = expApprox((zi[j] - mx) - l) * s;
        di[y[i]] = (expApprox((zi[y[i]] - mx) - l) - 1.0f) * s;
      }
    }
  });
}

size_t countCorrect(const float* z, const int32_t* y, size_t N, size_t C) {
  size_t correct = 0;
  for (size_t i = 0; i < N; ++i) {
    const float* zi = z + i * C;
    size_t best = 0;
    for (size_t j = 1; j < C; ++j)
      if (zi[j] > zi[best]) best = j;
    if (static_cast<int32_t>(best) == y[i]) ++correct;
  }
  return correct;
}

double mseForward(const float* p, const float* t, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = static_cast<double>(p[i]) - t[i];
    s += d * d;
  }
  return s / n;
}

void mseBackward(const float* p, const float* t, float* d, size_t n, double gradOut) {
  const float k = static_cast<float>(2.0 * gradOut / n);
  for (size_t i = 0; i < n; ++i) d[i] = k * (p[i] - t[i]);
}

}  // namespace tl
