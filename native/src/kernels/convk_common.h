// What the direct convolution kernels (convk_correlate.cc, convk_filter.cc) share: the vector traits they are
// written against, aligned per-thread scratch, splitting a batch over the kernel pool, and register-tile
// bookkeeping. Built for AVX-512F targets (16-lane zmm) and for AVX2 + FMA targets (8-lane ymm); TL_CONVK is
// defined to 1 where they are, and the kernels compile out elsewhere.
#pragma once
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#define TL_CONVK 1
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace tl {
namespace convk {

// One register of W floats and the operations the tiles use. `Mask` selects the first lanes of a register (from
// mask(lanes)); masked loads read nothing from masked-off lanes (no fault past a buffer's end) and give zeros there,
// masked stores leave those lanes' memory untouched.
#if defined(__AVX512F__)
struct Vec {
  static constexpr int W = 16;
  static constexpr int kRegisters = 32;
  using Reg = __m512;
  using Mask = __mmask16;
  static Mask mask(int lanes) {
    return lanes >= 16 ? static_cast<Mask>(0xFFFF) : static_cast<Mask>((1u << std::max(lanes, 0)) - 1u);
  }
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg set1(float a) { return _mm512_set1_ps(a); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, Mask m, Reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static float sum(Reg v) { return _mm512_reduce_add_ps(v); }
};
#else
struct Vec {
  static constexpr int W = 8;
  static constexpr int kRegisters = 16;
  using Reg = __m256;
  using Mask = __m256i;  // lane i is on when its sign bit is set (vmaskmovps)
  static Mask mask(int lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg set1(float a) { return _mm256_set1_ps(a); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, Mask m, Reg v) { _mm256_maskstore_ps(p, m, v); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static float sum(Reg v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};
#endif
constexpr int W = Vec::W;

// Reusable 64-byte-aligned per-thread scratch.
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(p); }
  float* get(size_t need) {
    if (need > n) {
      std::free(p);
      p = nullptr;
      n = 0;
      size_t bytes = ((std::max<size_t>(need, 16) * sizeof(float)) + 63) / 64 * 64;
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!p) throw std::bad_alloc();
      n = bytes / sizeof(float);
    }
    return p;
  }
};

// This thread's padded copy of the input, shared by the passes (one thread runs one pass at a time).
inline thread_local Scratch t_pad;

// Runs body(first, last, worker) over [0, N) split into up to `threads` contiguous ranges on the kernel pool
// (parallel.h), the first on the calling thread. An exception in any worker is rethrown after all have finished.
template <class Body>
void forImages(int N, int threads, const Body& body) {
  const int T = std::max(1, std::min(threads, N));
  parallelRun(
      T, [&](int t) { body(static_cast<int>(rangeStart(N, t, T)), static_cast<int>(rangeStart(N, t + 1, T)), t); });
}

// Thread count for a job: handing a share to a pool worker costs about a microsecond.
inline int threadsFor(int threads, int N, double flops) { return flops < 4e6 ? 1 : std::max(1, std::min(threads, N)); }

// Splits `total` rows into the fewest tiles of at most `maxTile`, as equal as possible.
inline std::vector<std::pair<int, int>> splitRows(int total, int maxTile) {
  std::vector<std::pair<int, int>> tiles;
  int count = (total + maxTile - 1) / maxTile;
  int base = total / count, extra = total % count, at = 0;
  for (int t = 0; t < count; ++t) {
    int rows = base + (t < extra ? 1 : 0);
    tiles.emplace_back(at, rows);
    at += rows;
  }
  return tiles;
}

// Offsets into one padded image are int32.
inline bool fitsInt32(size_t channels, size_t rows, size_t cols) { return channels * rows * cols < (size_t{1} << 31); }

}  // namespace convk
}  // namespace tl

#endif
