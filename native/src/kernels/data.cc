// Data kernels (data.h).
#include "kernels/data.h"

#include <algorithm>

#include "kernels/error.h"
#include "kernels/simd.h"

namespace tl {

#if defined(__AVX2__) && defined(__FMA__)
// Eight rows' bytes j..j+7, normalized, written transposed: out[(j + k) * n + u] for k, u < 8 (an 8x8 register
// transpose, so every store is a whole 32-byte run).
static inline void gather8x8(const uint8_t* const* s, size_t j, __m256 scale, __m256 shift, float* out, size_t n) {
  __m256 r[8];
  for (int u = 0; u < 8; ++u) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s[u] + j));
    r[u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)), scale, shift);
  }
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 q0 = _mm256_shuffle_ps(t0, t2, 0x44), q1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 q2 = _mm256_shuffle_ps(t1, t3, 0x44), q3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 q4 = _mm256_shuffle_ps(t4, t6, 0x44), q5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 q6 = _mm256_shuffle_ps(t5, t7, 0x44), q7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  const __m256 o[8] = {_mm256_permute2f128_ps(q0, q4, 0x20), _mm256_permute2f128_ps(q1, q5, 0x20),
                       _mm256_permute2f128_ps(q2, q6, 0x20), _mm256_permute2f128_ps(q3, q7, 0x20),
                       _mm256_permute2f128_ps(q0, q4, 0x31), _mm256_permute2f128_ps(q1, q5, 0x31),
                       _mm256_permute2f128_ps(q2, q6, 0x31), _mm256_permute2f128_ps(q3, q7, 0x31)};
  for (int k = 0; k < 8; ++k) _mm256_storeu_ps(out + (j + k) * n, o[k]);
}
#endif

void gatherU8(const uint8_t* src, size_t srcLen, const int32_t* idx, size_t rowLen, size_t n, float scale, float shift,
              float* out, bool featureMajor) {
  size_t rows = srcLen / rowLen;
  for (size_t i = 0; i < n; ++i)
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= rows) throw InputError("row index out of range");
  // Rows are scattered over a dataset much larger than the caches and training has just evicted them: fetch a
  // few rows ahead so their misses overlap instead of being paid one row after another.
  constexpr size_t kAhead = 6;
  auto prefetchRow = [&](size_t i) {
    const char* r = reinterpret_cast<const char*>(src + static_cast<size_t>(idx[i]) * rowLen);
    for (size_t off = 0; off < rowLen; off += 64) __builtin_prefetch(r + off, 0, 0);
  };
  for (size_t i = 0; i < std::min(n, kAhead); ++i) prefetchRow(i);
  if (featureMajor) {
    // Eight samples at a time, so each feature's eight values are written side by side (one 32-byte run per
    // feature instead of eight scattered floats).
    constexpr size_t kBlock = 8;
    for (size_t i0 = 0; i0 < n; i0 += kBlock) {
      const size_t b = std::min(kBlock, n - i0);
      const uint8_t* s[kBlock];
      for (size_t u = 0; u < b; ++u) {
        if (i0 + u + kAhead < n) prefetchRow(i0 + u + kAhead);
        s[u] = src + static_cast<size_t>(idx[i0 + u]) * rowLen;
      }
      size_t j = 0;
#if defined(__AVX2__) && defined(__FMA__)
      if (b == kBlock) {
        const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(shift);
        for (; j + 8 <= rowLen; j += 8) gather8x8(s, j, vs, vb, out + i0, n);
      }
#endif
      for (; j < rowLen; ++j) {
        float* o = out + j * n + i0;
        for (size_t u = 0; u < b; ++u) o[u] = s[u][j] * scale + shift;
      }
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetchRow(i + kAhead);
    const uint8_t* s = src + static_cast<size_t>(idx[i]) * rowLen;
    float* o = out + i * rowLen;
    for (size_t j = 0; j < rowLen; ++j) o[j] = s[j] * scale + shift;
  }
}

float kthSmallest(float* v, size_t n, size_t k) {
  std::nth_element(v, v + (k - 1), v + n);
  return v[k - 1];
}

}  // namespace tl
