// SIMD intrinsics where the compiler targets them (builds use -march=native), and `Vec`: one set of names for the
// widest float vectors this build has, so a register-blocked kernel is written once for AVX-512 (16 lanes, 32
// registers) and AVX2 + FMA (8 lanes, 16 registers). TL_VEC_LANES is 16, 8, or 0 (no vector kernels: the callers'
// generic loops run instead).
#pragma once
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 flags the _mm512_undefined_ps() placeholders inside its own intrinsic wrappers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#endif

namespace tl {

#if defined(__AVX512F__)
#define TL_VEC_LANES 16
struct Vec {
  static constexpr int W = 16;
  using V = __m512;
  using Mask = __mmask16;  // lanes a masked load or store touches
  static Mask tail(int lanes) {
    return lanes >= 16 ? static_cast<Mask>(0xFFFF) : static_cast<Mask>((1u << lanes) - 1u);
  }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, Mask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static float sum(V v) { return _mm512_reduce_add_ps(v); }
};
#elif defined(__AVX2__) && defined(__FMA__)
#define TL_VEC_LANES 8
struct Vec {
  static constexpr int W = 8;
  using V = __m256;
  using Mask = __m256i;  // all-ones in the lanes a masked load or store touches (masked-off lanes never fault)
  static Mask tail(int lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, Mask m, V v) { _mm256_maskstore_ps(p, m, v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static float sum(V v) {
    const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 q = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(q, _mm_movehdup_ps(q)));
  }
};
#else
#define TL_VEC_LANES 0
#endif

}  // namespace tl
