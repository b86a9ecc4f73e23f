// SIMD intrinsics where the compiler targets them (builds use -march=native), and `Vec`: one set of names for the
// widest float vectors this build has, so a register-blocked kernel (sparse.cc, the direct convolutions) is written
// once for AVX-512 (16 lanes, 32 registers) and AVX2 + FMA (8 lanes, 16 registers). TL_VEC_LANES is 16, 8, or 0 (no
// vector kernels: the callers' generic loops run instead).
#pragma once
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 flags the _mm512_undefined_ps() placeholders inside its own intrinsic wrappers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#endif

namespace tl {

// One register of W floats and the operations the kernels use. `Mask` selects the first lanes of a register (from
// mask(lanes)); masked loads read nothing from masked-off lanes (no fault past a buffer's end) and give zeros there,
// masked stores leave those lanes' memory untouched.
#if defined(__AVX512F__)
#define TL_VEC_LANES 16
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
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static float sum(Reg v) { return _mm512_reduce_add_ps(v); }
  // The sums of four vectors, in lanes 0-3: one shuffle tree for all four instead of four reductions. Each lane's
  // sum is added in the same order whatever the other three hold, so sum4(v, v, v, v)[0] equals a grouped one.
  static __m128 sum4(Reg a, Reg b, Reg c, Reg d) {
    const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
    const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
    const __m512 r = _mm512_add_ps(_mm512_shuffle_ps(ab, cd, 0x44), _mm512_shuffle_ps(ab, cd, 0xEE));
    const __m256 h =
        _mm256_add_ps(_mm512_castps512_ps256(r), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(r), 1)));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  }
};
#elif defined(__AVX2__) && defined(__FMA__)
#define TL_VEC_LANES 8
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
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static float sum(Reg v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};
#else
#define TL_VEC_LANES 0
#endif

}  // namespace tl
