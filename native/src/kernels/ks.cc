#include "kernels/ks.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"

namespace tl {
namespace {

// Order-preserving unsigned keys of IEEE-style floats: flip every bit of a negative value, set the sign bit of a
// positive one. Equal floats get equal keys once -0 is folded into +0.
template <class U>
inline U orderKey(U bits) {
  constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
  if (bits == sign) bits = 0;  // -0 == +0
  return (bits & sign) ? U(~bits) : U(bits | sign);
}

template <class U>
inline bool finite(U bits, RowDtype dtype) {
  if constexpr (sizeof(U) == 4) {
    return (bits & 0x7f800000u) != 0x7f800000u;
  } else {
    const uint16_t exp = dtype == RowDtype::F16 ? 0x7c00 : 0x7f80;
    return (bits & exp) != exp;
  }
}

// Keys of one row, sorted by a least-significant-digit radix sort (a byte per pass): two passes for 16-bit
// values, four for 32-bit, each a counting pass over dim keys; several times faster than a comparison sort here.
template <class U>
bool sortedKeys(const uint8_t* row, size_t dim, RowDtype dtype, U* keys, U* scratch) {
  for (size_t i = 0; i < dim; i++) {
    U bits;
    std::memcpy(&bits, row + i * sizeof(U), sizeof(U));
    if (!finite(bits, dtype)) return false;
    keys[i] = orderKey(bits);
  }
  U* from = keys;
  U* to = scratch;
  for (unsigned shift = 0; shift < sizeof(U) * 8; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < dim; i++) count[((from[i] >> shift) & 0xff) + 1]++;
    for (int d = 0; d < 256; d++) count[d + 1] += count[d];
    for (size_t i = 0; i < dim; i++) to[count[(from[i] >> shift) & 0xff]++] = from[i];
    std::swap(from, to);
  }
  // An even number of passes leaves the result in `keys`.
  return true;
}

// max over x of |#{a <= x} - #{b <= x}| for sorted keys: step through the distinct values of both rows in order.
template <class U>
int32_t maxCountGap(const U* a, const U* b, size_t n) {
  size_t i = 0, j = 0;
  int64_t best = 0;
  while (i < n || j < n) {
    const U v = (j == n || (i < n && a[i] <= b[j])) ? a[i] : b[j];
    while (i < n && a[i] <= v) i++;
    while (j < n && b[j] <= v) j++;
    const int64_t gap = static_cast<int64_t>(i) - static_cast<int64_t>(j);
    best = std::max(best, gap < 0 ? -gap : gap);
  }
  return static_cast<int32_t>(best);
}

template <class U>
int64_t rowCounts(const uint8_t* a, const uint8_t* b, size_t rows, size_t dim, RowDtype dtype, int32_t* counts) {
  const int T = static_cast<int>(std::max<size_t>(1, std::min<size_t>(getThreads(), rows)));
  std::atomic<int64_t> firstBad{-1};
  parallelRun(T, [&](int t) {
    std::vector<U> ka(dim), kb(dim), scratch(dim);
    const size_t end = rangeStart(rows, t + 1, T);
    for (size_t r = rangeStart(rows, t, T); r < end; r++) {
      const size_t at = r * dim * sizeof(U);
      int side = -1;
      if (!sortedKeys(a + at, dim, dtype, ka.data(), scratch.data()))
        side = 0;
      else if (!sortedKeys(b + at, dim, dtype, kb.data(), scratch.data()))
        side = 1;
      if (side >= 0) {
        // Keep the lowest bad row whichever thread finds it.
        const int64_t code = static_cast<int64_t>(2 * r + side);
        int64_t seen = firstBad.load();
        while ((seen < 0 || code < seen) && !firstBad.compare_exchange_weak(seen, code)) {
        }
        counts[r] = 0;
        continue;
      }
      counts[r] = maxCountGap(ka.data(), kb.data(), dim);
    }
  });
  return firstBad.load();
}

}  // namespace

int64_t ksRowCounts(const uint8_t* a, const uint8_t* b, size_t rows, size_t dim, RowDtype dtype, int32_t* counts) {
  if (dtype == RowDtype::F32) return rowCounts<uint32_t>(a, b, rows, dim, dtype, counts);
  return rowCounts<uint16_t>(a, b, rows, dim, dtype, counts);
}

}  // namespace tl
