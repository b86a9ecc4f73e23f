// FMA throughput of one core (peak.h).
#include "kernels/peak.h"

#include <chrono>

#include "kernels/simd.h"

namespace tl {

double fmaPeakGflops() {
#if TL_VEC_LANES > 0
  // 12 independent chains cover an FMA latency of 4 cycles on 2 pipes (and 3 on 4), so the pipes, not the chains,
  // set the pace. Values grow by a factor of 1 + 1e-7 per step: finite and normal throughout.
  constexpr int kChains = 12;
  constexpr long kSteps = 2'000'000;
  double best = 0;
  float sink = 0;
  for (int trial = 0; trial < 5; ++trial) {
    Vec::Reg a[kChains];
    for (int i = 0; i < kChains; ++i) a[i] = Vec::set1(1.0f + static_cast<float>(i));
    const Vec::Reg m = Vec::set1(1.0000001f), c = Vec::set1(1e-7f);
    const auto t0 = std::chrono::steady_clock::now();
    for (long s = 0; s < kSteps; ++s)
      for (int i = 0; i < kChains; ++i) a[i] = Vec::fmadd(a[i], m, c);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    float lanes[Vec::W];
    for (int i = 0; i < kChains; ++i) {
      Vec::store(lanes, a[i]);
      sink += lanes[0];
    }
    const double flops = 2.0 * Vec::W * kChains * static_cast<double>(kSteps);
    if (seconds > 0 && flops / seconds > best) best = flops / seconds;
  }
  // The sums feed the result (a zero contribution), so the loops cannot be dropped as dead code.
  return best / 1e9 + (sink == -1.0f ? 1e-9 : 0.0);
#else
  return 0;
#endif
}

}  // namespace tl
