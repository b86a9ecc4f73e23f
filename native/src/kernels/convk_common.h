// What the direct convolution kernels (convk_correlate.cc, convk_filter.cc) share: the vector traits they are
// written against, aligned per-thread scratch, splitting a batch over the kernel pool, and register-tile
// bookkeeping. Built for AVX-512F targets (16-lane zmm) and for AVX2 + FMA targets (8-lane ymm); TL_CONVK is
// defined to 1 where they are, and the kernels compile out elsewhere.
#pragma once
#include "kernels/simd.h"
#if TL_VEC_LANES > 0
#define TL_CONVK 1

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "kernels/parallel.h"

namespace tl {
namespace convk {

// The vector traits (tl::Vec, simd.h) the tiles are written against.
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
