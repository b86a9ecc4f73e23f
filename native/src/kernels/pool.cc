// Pooling kernels (pool.h).
#include "kernels/pool.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/error.h"
#include "kernels/simd.h"

namespace tl {

// One max-pool window, scanned row by row: the first element, then any larger one or any NaN (the last NaN wins,
// as in PyTorch). The window [h0, h1) x [w0, w1) is already clipped to the plane.
static inline void maxWindow(const float* xp, int W, int h0, int h1, int w0, int w1, float* outV, int32_t* outI) {
  float best = -std::numeric_limits<float>::infinity();
  int bi = -1;
  if (h0 < h1 && w0 < w1) {
    best = xp[h0 * W + w0];
    bi = h0 * W + w0;
    for (int ih = h0; ih < h1; ++ih)
      for (int iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw) {
        float v = xp[ih * W + iw];
        bool take = (v > best) | (v != v);
        best = take ? v : best;
        bi = take ? ih * W + iw : bi;
      }
  }
  *outV = best;
  *outI = bi;
}

// 2x2 windows at stride 2 without padding (the common case): same selection rule, 16 outputs at a time.
static void maxPool2x2Plane(const float* xp, int W, int OH, int OW, float* yp, int32_t* ip) {
  int ow0 = 0;
#if defined(__AVX512F__)
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i lane2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
  const int vecEnd = OW / 16 * 16;
  for (int oh = 0; oh < OH; ++oh) {
    const float* r0 = xp + static_cast<size_t>(2 * oh) * W;
    const float* r1 = r0 + W;
    for (int ow = 0; ow < vecEnd; ow += 16) {
      const __m512 l0 = _mm512_loadu_ps(r0 + 2 * ow), h0 = _mm512_loadu_ps(r0 + 2 * ow + 16);
      const __m512 l1 = _mm512_loadu_ps(r1 + 2 * ow), h1 = _mm512_loadu_ps(r1 + 2 * ow + 16);
      const __m512 a = _mm512_permutex2var_ps(l0, even, h0), b = _mm512_permutex2var_ps(l0, odd, h0);
      const __m512 c = _mm512_permutex2var_ps(l1, even, h1), d = _mm512_permutex2var_ps(l1, odd, h1);
      const __m512i ia = _mm512_add_epi32(_mm512_set1_epi32(2 * oh * W + 2 * ow), lane2);
      __m512 best = a;
      __m512i bi = ia;
      __mmask16 m = _mm512_cmp_ps_mask(b, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      best = _mm512_mask_mov_ps(best, m, b);
      bi = _mm512_mask_mov_epi32(bi, m, _mm512_add_epi32(ia, _mm512_set1_epi32(1)));
      m = _mm512_cmp_ps_mask(c, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q);
      best = _mm512_mask_mov_ps(best, m, c);
      bi = _mm512_mask_mov_epi32(bi, m, _mm512_add_epi32(ia, _mm512_set1_epi32(W)));
      m = _mm512_cmp_ps_mask(d, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
      best = _mm512_mask_mov_ps(best, m, d);
      bi = _mm512_mask_mov_epi32(bi, m, _mm512_add_epi32(ia, _mm512_set1_epi32(W + 1)));
      _mm512_storeu_ps(yp + static_cast<size_t>(oh) * OW + ow, best);
      _mm512_storeu_si512(ip + static_cast<size_t>(oh) * OW + ow, bi);
    }
  }
  ow0 = vecEnd;
#elif defined(__AVX2__)
  // 8 outputs at a time. Without it the AVX2 build pooled Conv-2's activations in 8.1 ms against 1.0 ms.
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const int vecEnd = OW / 8 * 8;
  // Elements 0, 2, ..., 14 (or 1, 3, ..., 15) of the 16 floats in lo, hi.
  const auto evens = [](__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
  };
  const auto odds = [](__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
  };
  for (int oh = 0; oh < OH; ++oh) {
    const float* r0 = xp + static_cast<size_t>(2 * oh) * W;
    const float* r1 = r0 + W;
    for (int ow = 0; ow < vecEnd; ow += 8) {
      const __m256 l0 = _mm256_loadu_ps(r0 + 2 * ow), h0 = _mm256_loadu_ps(r0 + 2 * ow + 8);
      const __m256 l1 = _mm256_loadu_ps(r1 + 2 * ow), h1 = _mm256_loadu_ps(r1 + 2 * ow + 8);
      const __m256 cand[3] = {odds(l0, h0), evens(l1, h1), odds(l1, h1)};
      const __m256i ia = _mm256_add_epi32(_mm256_set1_epi32(2 * oh * W + 2 * ow), lane2);
      const int step[3] = {1, W, W + 1};
      __m256 best = evens(l0, h0);
      __m256i bi = ia;
      for (int j = 0; j < 3; ++j) {
        const __m256 v = cand[j];
        const __m256 m = _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        best = _mm256_blendv_ps(best, v, m);
        const __m256i iv = _mm256_add_epi32(ia, _mm256_set1_epi32(step[j]));
        bi = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(bi), _mm256_castsi256_ps(iv), m));
      }
      _mm256_storeu_ps(yp + static_cast<size_t>(oh) * OW + ow, best);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(ip + static_cast<size_t>(oh) * OW + ow), bi);
    }
  }
  ow0 = vecEnd;
#endif
  for (int oh = 0; oh < OH; ++oh)
    for (int ow = ow0; ow < OW; ++ow)
      maxWindow(xp, W, 2 * oh, 2 * oh + 2, 2 * ow, 2 * ow + 2, yp + static_cast<size_t>(oh) * OW + ow,
                ip + static_cast<size_t>(oh) * OW + ow);
}

void maxPool2dForward(PoolDims d, const float* x, float* y, int32_t* idx) {
  const size_t inP = d.inPlane(), outP = d.outPlane();
  const bool fast2x2 = d.K == 2 && d.stride == 2 && d.pad == 0;
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* xp = x + p * inP;
    float* yp = y + p * outP;
    int32_t* ip = idx + p * outP;
    if (fast2x2) {
      maxPool2x2Plane(xp, d.W, d.OH, d.OW, yp, ip);
      continue;
    }
    for (int oh = 0; oh < d.OH; ++oh) {
      int h0 = oh * d.stride - d.pad;
      int hl = std::max(0, h0), hh = std::min(d.H, h0 + d.K);
      for (int ow = 0; ow < d.OW; ++ow) {
        int w0 = ow * d.stride - d.pad;
        maxWindow(xp, d.W, hl, hh, std::max(0, w0), std::min(d.W, w0 + d.K), yp + oh * d.OW + ow, ip + oh * d.OW + ow);
      }
    }
  }
}

// Backward of a 2x2 stride-2 plane when every argmax lies in its own window (always, for argmax from the forward
// pass): each input element belongs to exactly one window, so dx is written once, without a zero fill or scatter.
// Returns false when some index is outside its window; dp is then partly written and the caller redoes the plane.
static bool maxPool2x2BackwardPlane(const float* g, const int32_t* ip, int H, int W, int OH, int OW, float* dp) {
  int ow0 = 0;
#if defined(__AVX512F__)
  const __m512i lane2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
  // interleave two 16-vectors: lo = (u0, v0, u1, v1, ...u7, v7), hi = (u8, v8, ...)
  const __m512i ilo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i ihi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const __m512 zero = _mm512_setzero_ps();
  const int vecEnd = OW / 16 * 16;
  for (int oh = 0; oh < OH; ++oh) {
    float* d0 = dp + static_cast<size_t>(2 * oh) * W;
    float* d1 = d0 + W;
    for (int ow = 0; ow < vecEnd; ow += 16) {
      // g + 0 turns -0 into +0, exactly as adding into a zeroed buffer does.
      const __m512 gv = _mm512_add_ps(_mm512_loadu_ps(g + static_cast<size_t>(oh) * OW + ow), zero);
      const __m512i iv = _mm512_loadu_si512(ip + static_cast<size_t>(oh) * OW + ow);
      const __m512i ia = _mm512_add_epi32(_mm512_set1_epi32(2 * oh * W + 2 * ow), lane2);
      const __mmask16 ma = _mm512_cmpeq_epi32_mask(iv, ia);
      const __mmask16 mb = _mm512_cmpeq_epi32_mask(iv, _mm512_add_epi32(ia, _mm512_set1_epi32(1)));
      const __mmask16 mc = _mm512_cmpeq_epi32_mask(iv, _mm512_add_epi32(ia, _mm512_set1_epi32(W)));
      const __mmask16 me = _mm512_cmpeq_epi32_mask(iv, _mm512_add_epi32(ia, _mm512_set1_epi32(W + 1)));
      if (static_cast<__mmask16>(ma | mb | mc | me) != 0xFFFF) return false;
      const __m512 a = _mm512_maskz_mov_ps(ma, gv), b = _mm512_maskz_mov_ps(mb, gv);
      const __m512 c = _mm512_maskz_mov_ps(mc, gv), e = _mm512_maskz_mov_ps(me, gv);
      _mm512_storeu_ps(d0 + 2 * ow, _mm512_permutex2var_ps(a, ilo, b));
      _mm512_storeu_ps(d0 + 2 * ow + 16, _mm512_permutex2var_ps(a, ihi, b));
      _mm512_storeu_ps(d1 + 2 * ow, _mm512_permutex2var_ps(c, ilo, e));
      _mm512_storeu_ps(d1 + 2 * ow + 16, _mm512_permutex2var_ps(c, ihi, e));
    }
  }
  ow0 = vecEnd;
#elif defined(__AVX2__)
  const __m256i lane2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256 zero = _mm256_setzero_ps();
  const int vecEnd = OW / 8 * 8;
  // (u0, v0, u1, v1, ...) over 16 floats, as two registers.
  const auto interleave = [](__m256 u, __m256 v, float* dst) {
    const __m256 lo = _mm256_unpacklo_ps(u, v), hi = _mm256_unpackhi_ps(u, v);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(lo, hi, 0x20));
    _mm256_storeu_ps(dst + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
  };
  for (int oh = 0; oh < OH; ++oh) {
    float* d0 = dp + static_cast<size_t>(2 * oh) * W;
    float* d1 = d0 + W;
    for (int ow = 0; ow < vecEnd; ow += 8) {
      const __m256 gv = _mm256_add_ps(_mm256_loadu_ps(g + static_cast<size_t>(oh) * OW + ow), zero);
      const __m256i iv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ip + static_cast<size_t>(oh) * OW + ow));
      const __m256i ia = _mm256_add_epi32(_mm256_set1_epi32(2 * oh * W + 2 * ow), lane2);
      const __m256i ma = _mm256_cmpeq_epi32(iv, ia);
      const __m256i mb = _mm256_cmpeq_epi32(iv, _mm256_add_epi32(ia, _mm256_set1_epi32(1)));
      const __m256i mc = _mm256_cmpeq_epi32(iv, _mm256_add_epi32(ia, _mm256_set1_epi32(W)));
      const __m256i me = _mm256_cmpeq_epi32(iv, _mm256_add_epi32(ia, _mm256_set1_epi32(W + 1)));
      const __m256i any = _mm256_or_si256(_mm256_or_si256(ma, mb), _mm256_or_si256(mc, me));
      if (_mm256_movemask_ps(_mm256_castsi256_ps(any)) != 0xFF) return false;
      const auto pick = [&](__m256i m) { return _mm256_and_ps(_mm256_castsi256_ps(m), gv); };
      interleave(pick(ma), pick(mb), d0 + 2 * ow);
      interleave(pick(mc), pick(me), d1 + 2 * ow);
    }
  }
  ow0 = vecEnd;
#endif
  for (int oh = 0; oh < OH; ++oh) {
    float* d0 = dp + static_cast<size_t>(2 * oh) * W;
    for (int ow = ow0; ow < OW; ++ow) {
      float v = g[static_cast<size_t>(oh) * OW + ow] + 0.0f;
      int i = ip[static_cast<size_t>(oh) * OW + ow], base = 2 * oh * W + 2 * ow;
      if (i != base && i != base + 1 && i != base + W && i != base + W + 1) return false;
      d0[2 * ow] = i == base ? v : 0.0f;
      d0[2 * ow + 1] = i == base + 1 ? v : 0.0f;
      d0[W + 2 * ow] = i == base + W ? v : 0.0f;
      d0[W + 2 * ow + 1] = i == base + W + 1 ? v : 0.0f;
    }
    if (W > 2 * OW) {  // odd width: the last column is in no window
      d0[W - 1] = 0.0f;
      d0[2 * W - 1] = 0.0f;
    }
  }
  if (H > 2 * OH) std::memset(dp + static_cast<size_t>(2 * OH) * W, 0, sizeof(float) * (H - 2 * OH) * W);
  return true;
}

void maxPool2dBackward(PoolDims d, const float* dy, const int32_t* idx, float* dx) {
  const size_t inP = d.inPlane(), outP = d.outPlane();
  const bool fast2x2 = d.K == 2 && d.stride == 2 && d.pad == 0;
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* g = dy + p * outP;
    const int32_t* ip = idx + p * outP;
    float* dp = dx + p * inP;
    if (fast2x2 && maxPool2x2BackwardPlane(g, ip, d.H, d.W, d.OH, d.OW, dp)) continue;
    std::fill(dp, dp + inP, 0.0f);
    for (size_t o = 0; o < outP; ++o) {
      int32_t i = ip[o];
      if (i < 0 || static_cast<size_t>(i) >= inP) throw InputError("argmax index out of range");
      dp[i] += g[o];
    }
  }
}

void avgPool2dForward(PoolDims d, const float* x, float* y) {
  const size_t inP = d.inPlane(), outP = d.outPlane();
  const float inv = 1.0f / (d.K * d.K);
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* xp = x + p * inP;
    float* yp = y + p * outP;
    for (int oh = 0; oh < d.OH; ++oh)
      for (int ow = 0; ow < d.OW; ++ow) {
        int h0 = oh * d.stride - d.pad, w0 = ow * d.stride - d.pad;
        double s = 0;
        for (int ih = std::max(0, h0); ih < std::min(d.H, h0 + d.K); ++ih)
          for (int iw = std::max(0, w0); iw < std::min(d.W, w0 + d.K); ++iw) s += xp[ih * d.W + iw];
        yp[oh * d.OW + ow] = static_cast<float>(s) * inv;
      }
  }
}

void avgPool2dBackward(PoolDims d, const float* dy, float* dx) {
  const size_t inP = d.inPlane(), outP = d.outPlane();
  std::fill(dx, dx + d.planes() * inP, 0.0f);
  const float inv = 1.0f / (d.K * d.K);
  for (size_t p = 0; p < d.planes(); ++p) {
    const float* g = dy + p * outP;
    float* dp = dx + p * inP;
    for (int oh = 0; oh < d.OH; ++oh)
      for (int ow = 0; ow < d.OW; ++ow) {
        int h0 = oh * d.stride - d.pad, w0 = ow * d.stride - d.pad;
        float v = g[oh * d.OW + ow] * inv;
        for (int ih = std::max(0, h0); ih < std::min(d.H, h0 + d.K); ++ih)
          for (int iw = std::max(0, w0); iw < std::min(d.W, w0 + d.K); ++iw) dp[ih * d.W + iw] += v;
      }
  }
}

}  // namespace tl
