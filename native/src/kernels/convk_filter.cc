// Direct stride-1 convolution kernel, backward-filter (see convk.h).
//
// It reduces over pixels: dw'[r][o] += sum_p x_hwc[p + roff[r]] * dy^T[p][o] with r = (kh, kw, c) over an NHWC
// copy of the padded input and a transposed copy of dy, so both operands are plain loads (vectors along o,
// broadcasts along r). The result is permuted into dw[o][c][kh][kw] at the end.
//
// Images are independent, so with several threads each takes a contiguous range of the batch; the per-thread
// partial sums are added in a fixed order.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/convk.h"
#include "kernels/convk_common.h"

namespace tl {
namespace convk {

#if !defined(TL_CONVK)

bool suitableBackwardFilter(const Shape&) { return false; }
void backwardFilter(const Shape&, const float*, const float*, float*, float*, bool, int) {}

#else

namespace {

thread_local Scratch t_dyt, t_acc;

#if defined(__AVX512F__)
// Transposes a block of up to 16x16: rows r < nr (each nc <= 16 floats at src + r*ss) become dst rows c < nc
// (nr floats each, at dst + c*ds). Masked loads and stores, so nothing outside the block is touched.
inline void transposeBlock(const float* src, size_t ss, int nr, int nc, float* dst, size_t ds) {
  const __mmask16 cm = Vec::mask(nc), rm = Vec::mask(nr);
  __m512 r[16], a[16], b[16];
  for (int i = 0; i < 16; ++i) r[i] = i < nr ? _mm512_maskz_loadu_ps(cm, src + i * ss) : _mm512_setzero_ps();
  for (int i = 0; i < 8; ++i) {
    a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int j = 0; j < 4; ++j) {
    const __m512d a0 = _mm512_castps_pd(a[4 * j]), a1 = _mm512_castps_pd(a[4 * j + 1]);
    const __m512d a2 = _mm512_castps_pd(a[4 * j + 2]), a3 = _mm512_castps_pd(a[4 * j + 3]);
    b[4 * j] = _mm512_castpd_ps(_mm512_unpacklo_pd(a0, a2));
    b[4 * j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a0, a2));
    b[4 * j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(a1, a3));
    b[4 * j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(a1, a3));
  }
  for (int q = 0; q < 4; ++q) {  // column 4L+q comes from lane L of b[q], b[4+q], b[8+q], b[12+q]
    const __m512 c0 = _mm512_shuffle_f32x4(b[q], b[4 + q], 0x88), c1 = _mm512_shuffle_f32x4(b[q], b[4 + q], 0xdd);
    const __m512 d0 = _mm512_shuffle_f32x4(b[8 + q], b[12 + q], 0x88),
                 d1 = _mm512_shuffle_f32x4(b[8 + q], b[12 + q], 0xdd);
    const __m512 col[4] = {_mm512_shuffle_f32x4(c0, d0, 0x88), _mm512_shuffle_f32x4(c1, d1, 0x88),
                           _mm512_shuffle_f32x4(c0, d0, 0xdd), _mm512_shuffle_f32x4(c1, d1, 0xdd)};
    for (int L = 0; L < 4; ++L)
      if (4 * L + q < nc) _mm512_mask_storeu_ps(dst + (4 * L + q) * ds, rm, col[L]);
  }
}

#else
// Transposes a block of up to 8x8: rows r < nr (each nc <= 8 floats at src + r*ss) become dst rows c < nc (nr
// floats each, at dst + c*ds). Nothing outside the block is touched (masked loads and stores on partial blocks).
inline void transposeBlock(const float* src, size_t ss, int nr, int nc, float* dst, size_t ds) {
  const bool fullRows = nc == 8, fullCols = nr == 8;
  const Vec::Mask cm = Vec::mask(nc), rm = Vec::mask(nr);
  __m256 r[8], a[8], b[8];
  for (int i = 0; i < 8; ++i)
    r[i] = i >= nr ? _mm256_setzero_ps() : fullRows ? Vec::load(src + i * ss) : Vec::load(src + i * ss, cm);
  for (int i = 0; i < 4; ++i) {
    a[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int j = 0; j < 2; ++j) {  // b[4j+q] holds rows 4j..4j+3 of columns q and 4+q (one per 128-bit half)
    b[4 * j] = _mm256_shuffle_ps(a[4 * j], a[4 * j + 2], 0x44);
    b[4 * j + 1] = _mm256_shuffle_ps(a[4 * j], a[4 * j + 2], 0xEE);
    b[4 * j + 2] = _mm256_shuffle_ps(a[4 * j + 1], a[4 * j + 3], 0x44);
    b[4 * j + 3] = _mm256_shuffle_ps(a[4 * j + 1], a[4 * j + 3], 0xEE);
  }
  for (int q = 0; q < 4; ++q) {
    const __m256 lo = _mm256_permute2f128_ps(b[q], b[4 + q], 0x20), hi = _mm256_permute2f128_ps(b[q], b[4 + q], 0x31);
    if (q < nc) fullCols ? Vec::store(dst + q * ds, lo) : Vec::store(dst + q * ds, rm, lo);
    if (4 + q < nc) fullCols ? Vec::store(dst + (4 + q) * ds, hi) : Vec::store(dst + (4 + q) * ds, rm, hi);
  }
}
#endif

// dst[c][r] = src[r][c] for an R x Cn matrix (row strides ss, ds).
void transpose(const float* src, size_t ss, int R, int Cn, float* dst, size_t ds) {
  for (int r0 = 0; r0 < R; r0 += W)
    for (int c0 = 0; c0 < Cn; c0 += W)
      transposeBlock(src + r0 * ss + c0, ss, std::min(W, R - r0), std::min(W, Cn - c0), dst + c0 * ds + r0, ds);
}

// ---------------------------------------------------------------------------------------------------------
// Filter-gradient tile: MR rows r of dw' x (W*NV) output channels, reduced over every pixel of one image.
template <int MR, int NV>
void filtTile(const float* __restrict xh, const int32_t* __restrict roff, const float* __restrict dyt, int ldt, int OH,
              int OW, int rowStride, int C, float* __restrict cp, int ldc) {
  Vec::Reg acc[MR][NV];
  int32_t off[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    off[i] = roff[i];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = Vec::load(cp + static_cast<size_t>(i) * ldc + W * v);
  }
  for (int oh = 0; oh < OH; ++oh) {
    const float* xr = xh + static_cast<size_t>(oh) * rowStride;
    const float* dr = dyt + static_cast<size_t>(oh) * OW * ldt;
    for (int ow = 0; ow < OW; ++ow) {
      const float* xb = xr + static_cast<size_t>(ow) * C;
      const float* db = dr + static_cast<size_t>(ow) * ldt;
      Vec::Reg b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = Vec::load(db + W * v);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const Vec::Reg ai = Vec::set1(xb[off[i]]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = Vec::fmadd(ai, b[v], acc[i][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) Vec::store(cp + static_cast<size_t>(i) * ldc + W * v, acc[i][v]);
}

using FiltFn = void (*)(const float*, const int32_t*, const float*, int, int, int, int, int, float*, int);

// Register-tile limits (MR*NV accumulators, NV loaded vectors and one broadcast fit in the register file) and the
// widest output-channel strip, in vectors; kFiltBlockPixels > 0 splits each image into blocks of rows.
#if defined(__AVX512F__)
constexpr int filtMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 13 : nv == 3 ? 8 : 6; }
constexpr int kFiltWideNv = 4;
constexpr int kFiltBlockPixels = 0;
#else
constexpr int filtMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 6 : nv == 3 ? 4 : 2; }
constexpr int kFiltWideNv = 2;
// Each tile streams its dy^T strip and a line of the NHWC input per pixel; with 8-lane tiles that outruns L2 on
// large images, so the tiles take the pixels in blocks of whole rows, about this many at a time (measured: +10-15%
// on 64->64 channels at 32x32).
constexpr int kFiltBlockPixels = 128;
#endif

template <int NV, int MR = 1>
FiltFn filtFn(int mr) {
  if constexpr (MR > filtMaxMR(NV)) {
    return nullptr;
  } else {
    return mr == MR ? &filtTile<MR, NV> : filtFn<NV, MR + 1>(mr);
  }
}

FiltFn filtFnFor(int nv, int mr) {
  switch (nv) {
    case 1: return filtFn<1>(mr);
    case 2: return filtFn<2>(mr);
    case 3: return filtFn<3>(mr);
    default: return filtFn<4>(mr);
  }
}

}  // namespace

// The filter gradient reduces over pixels, so it only needs enough of them per image to amortize its tile loads.
// On AVX2 the R x O accumulators that each image loads and stores must also stay in L2 (measured against OpenBLAS
// on an AMD EPYC with 512 KB of L2, 1 thread: 64 channels at 8x8, 147 KB, 35% faster than im2col; 128->256
// channels at 8x8, 1.2 MB, 15-25% slower; 128 channels at 16x16, 590 KB, even).
bool suitableBackwardFilter(const Shape& s) {
  if (!fitsInt32(s.C, s.H + 2 * s.pad, s.W + 2 * s.pad) || static_cast<long>(s.OH) * s.OW < 64) return false;
#if !defined(__AVX512F__)
  const size_t accBytes = sizeof(float) * s.C * s.KH * s.KW * ((s.O + W - 1) / W * W);
  if (accBytes > (size_t{512} << 10)) return false;
#endif
  return true;
}

void backwardFilter(const Shape& s, const float* dy, const float* x, float* dw, float* db, bool accumulate,
                    int threads) {
  const int Hp = s.H + 2 * s.pad, Wp = s.W + 2 * s.pad;
  const int P = s.OH * s.OW;
  const int R = s.KH * s.KW * s.C;  // rows r = (kh*KW + kw)*C + c
  const int Opad = (s.O + W - 1) / W * W;
  std::vector<int32_t> roff(R);
  for (int kh = 0, r = 0; kh < s.KH; ++kh)
    for (int kw = 0; kw < s.KW; ++kw)
      for (int c = 0; c < s.C; ++c) roff[r++] = (kh * Wp + kw) * s.C + c;

  // Output-channel strips: W*kFiltWideNv wide where possible, remainder with the narrowest width that holds it.
  struct Tile {
    int r0, o0;
    FiltFn fn;
  };
  std::vector<Tile> tiles;
  for (int o0 = 0; o0 < Opad;) {
    int nv = std::min(kFiltWideNv, (Opad - o0) / W);
    for (auto [r0, mr] : splitRows(R, filtMaxMR(nv))) tiles.push_back({r0, o0, filtFnFor(nv, mr)});
    o0 += W * nv;
  }

  const int blockRows = kFiltBlockPixels > 0 ? std::max(1, kFiltBlockPixels / s.OW) : s.OH;
  const size_t accLen = static_cast<size_t>(R) * Opad;
  const size_t inImage = static_cast<size_t>(s.C) * s.H * s.W, outImage = static_cast<size_t>(s.O) * P;
  // Worker 0 accumulates into this thread's buffer, others into their own; partials are added in worker order.
  const int T = threadsFor(threads, s.N, 2.0 * s.N * R * s.O * P);
  std::vector<std::vector<float>> extraAcc(T - 1);
  std::vector<std::vector<double>> bsums(T, std::vector<double>(db ? s.O : 0, 0.0));
  float* acc0 = t_acc.get(accLen);
  forImages(s.N, T, [&](int n0, int n1, int worker) {
    float* acc = acc0;
    if (worker > 0) {
      extraAcc[worker - 1].assign(accLen, 0.0f);
      acc = extraAcc[worker - 1].data();
    } else {
      std::fill(acc, acc + accLen, 0.0f);
    }
    std::vector<double>& bsum = bsums[worker];
    float* xh = t_pad.get(static_cast<size_t>(Hp) * Wp * s.C);  // this thread's
    float* dyt = t_dyt.get(static_cast<size_t>(P) * Opad);
    // Borders of the NHWC copy stay zero; padding lanes of dy^T stay zero.
    std::fill(xh, xh + static_cast<size_t>(Hp) * Wp * s.C, 0.0f);
    if (Opad != s.O) std::fill(dyt, dyt + static_cast<size_t>(P) * Opad, 0.0f);
    for (int n = n0; n < n1; ++n) {
      const float* xn = x + n * inImage;
      const float* dyn = dy + n * outImage;
      // NHWC, padded: xh[(h+pad)*Wp + (w+pad)][c], one C x W transpose per input row
      for (int h = 0; h < s.H; ++h)
        transpose(xn + static_cast<size_t>(h) * s.W, static_cast<size_t>(s.H) * s.W, s.C, s.W,
                  xh + (static_cast<size_t>(h + s.pad) * Wp + s.pad) * s.C, s.C);
      // dy^T[p][o], and the bias gradient's per-channel sums
      transpose(dyn, P, s.O, P, dyt, Opad);
      if (db)
        for (int o = 0; o < s.O; ++o) {
          const float* src = dyn + static_cast<size_t>(o) * P;
          Vec::Reg s0 = Vec::zero(), s1 = Vec::zero();
          int p = 0;
          for (; p + 2 * W <= P; p += 2 * W) {
            s0 = Vec::add(s0, Vec::load(src + p));
            s1 = Vec::add(s1, Vec::load(src + p + W));
          }
          for (; p < P; p += W) s0 = Vec::add(s0, Vec::load(src + p, Vec::mask(P - p)));
          bsum[o] += static_cast<double>(Vec::sum(Vec::add(s0, s1)));
        }
      for (int oh0 = 0; oh0 < s.OH; oh0 += blockRows) {
        const int rows = std::min(blockRows, s.OH - oh0);
        const float* xb = xh + static_cast<size_t>(oh0) * Wp * s.C;
        const float* db = dyt + static_cast<size_t>(oh0) * s.OW * Opad;
        for (const Tile& t : tiles)
          t.fn(xb, roff.data() + t.r0, db + t.o0, Opad, rows, s.OW, Wp * s.C, s.C,
               acc + static_cast<size_t>(t.r0) * Opad + t.o0, Opad);
      }
    }
  });
  float* acc = acc0;
  for (const auto& part : extraAcc)
    for (size_t i = 0; i < part.size(); ++i) acc[i] += part[i];
  std::vector<double> bsum(db ? s.O : 0, 0.0);
  for (const auto& part : bsums)
    for (size_t o = 0; o < bsum.size(); ++o) bsum[o] += part[o];
  for (int o = 0; o < s.O; ++o)
    for (int c = 0; c < s.C; ++c)
      for (int kh = 0; kh < s.KH; ++kh)
        for (int kw = 0; kw < s.KW; ++kw) {
          float v = acc[static_cast<size_t>((kh * s.KW + kw) * s.C + c) * Opad + o];
          float& d = dw[((static_cast<size_t>(o) * s.C + c) * s.KH + kh) * s.KW + kw];
          d = accumulate ? d + v : v;
        }
  if (db)
    for (int o = 0; o < s.O; ++o)
      db[o] = accumulate ? db[o] + static_cast<float>(bsum[o]) : static_cast<float>(bsum[o]);
}

#endif

}  // namespace convk
}  // namespace tl
