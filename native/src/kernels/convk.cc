// Direct stride-1 convolution kernels (see convk.h).
//
// Forward and backward-data are both "correlations": out[m][oh][ow] = sum_k A[m][k] * xp[koff[k] + oh*Wp + ow]
// over a zero-padded input xp, with k = (c, kh, kw) and koff[k] = (c*Hp + kh)*Wp + kw. An output tile is MR
// output channels x NR = 16*NV consecutive pixels of one output row (or, for narrow images, of the flattened
// padded grid, see Layout); its accumulators live in MR*NV zmm registers while k runs over the whole reduction,
// each step loading NV vectors straight from the padded image (the im2col row segment, which is just a shifted
// input row) and broadcasting MR weights packed [k][MR]. Backward-data is the forward correlation of dy (padded
// by KH-1-pad) with the flipped, transposed weights, so it needs no col2im scatter.
//
// Backward-filter reduces over pixels: dw'[r][o] += sum_p x_hwc[p + roff[r]] * dy^T[p][o] with r = (kh, kw, c)
// over an NHWC copy of the padded input and a transposed copy of dy, so both operands are plain loads
// (vectors along o, broadcasts along r). The result is permuted into dw[o][c][kh][kw] at the end.
//
// Images are independent, so with several threads each takes a contiguous range of the batch.
#include "kernels/convk.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <thread>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace tl {
namespace convk {

#if !defined(__AVX512F__)

bool compiled() { return false; }
bool suitableForward(const Shape&) { return false; }
bool suitableBackwardData(const Shape&) { return false; }
bool suitableBackwardFilter(const Shape&) { return false; }
void forward(const Shape&, const float*, const float*, const float*, float*, int) {}
void backwardData(const Shape&, const float*, const float*, float*, int) {}
void backwardFilter(const Shape&, const float*, const float*, float*, float*, bool, int) {}

#else

bool compiled() { return true; }

namespace {

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

thread_local Scratch t_pad, t_wpack, t_dyt, t_acc, t_flat;

// Runs body(first, last, worker) over [0, N) split into up to `threads` contiguous ranges on the kernel pool
// (parallel.h), the first on the calling thread. An exception in any worker is rethrown after all have finished.
template <class Body>
void forImages(int N, int threads, const Body& body) {
  const int T = std::max(1, std::min(threads, N));
  parallelRun(
      T, [&](int t) { body(static_cast<int>(rangeStart(N, t, T)), static_cast<int>(rangeStart(N, t + 1, T)), t); });
}

// Thread count for a job: handing a share to a pool worker costs about a microsecond.
int threadsFor(int threads, int N, double flops) { return flops < 4e6 ? 1 : std::max(1, std::min(threads, N)); }

inline __mmask16 tailMask(int lanes) {
  return lanes >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << lanes) - 1u);
}

// ---------------------------------------------------------------------------------------------------------
// Correlation tile: MR output channels x (16*NV) consecutive output positions (the last vector masked by `last`).
template <int MR, int NV>
void corrTile(int K, const float* __restrict a, const float* __restrict xb, const int32_t* __restrict koff,
              float* __restrict y, size_t ldy, __mmask16 last, const float* __restrict bias) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    const __m512 init = bias ? _mm512_set1_ps(bias[i]) : _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = init;
  }
  for (int k = 0; k < K; ++k) {
    const float* src = xb + koff[k];
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; ++v) b[v] = _mm512_loadu_ps(src + 16 * v);
    b[NV - 1] = _mm512_maskz_loadu_ps(last, src + 16 * (NV - 1));
    const float* ak = a + static_cast<size_t>(k) * MR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(ak[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    float* yr = y + static_cast<size_t>(i) * ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; ++v) _mm512_storeu_ps(yr + 16 * v, acc[i][v]);
    _mm512_mask_storeu_ps(yr + 16 * (NV - 1), last, acc[i][NV - 1]);
  }
}

using CorrFn = void (*)(int, const float*, const float*, const int32_t*, float*, size_t, __mmask16, const float*);

constexpr int corrMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 13 : nv == 3 ? 8 : 6; }

template <int NV, int MR = 1>
CorrFn corrFn(int mr) {
  if constexpr (MR > corrMaxMR(NV)) {
    return nullptr;
  } else {
    return mr == MR ? &corrTile<MR, NV> : corrFn<NV, MR + 1>(mr);
  }
}

CorrFn corrFnFor(int nv, int mr) {
  switch (nv) {
    case 1: return corrFn<1>(mr);
    case 2: return corrFn<2>(mr);
    case 3: return corrFn<3>(mr);
    default: return corrFn<4>(mr);
  }
}

// Splits `total` rows into the fewest tiles of at most `maxTile`, as equal as possible.
std::vector<std::pair<int, int>> splitRows(int total, int maxTile) {
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

struct Segment {
  int ow0, nv;
  __mmask16 last;
};

// Covers a run of outputs with register-tile widths: tiles of 16*nvWide, the remainder with the narrowest width
// that holds it.
std::vector<Segment> rowSegments(int OW, int nvWide) {
  std::vector<Segment> segs;
  int at = 0;
  while (at < OW) {
    int rem = OW - at;
    int nv = rem > 16 * (nvWide + 1) ? nvWide : std::min(4, (rem + 15) / 16);
    int width = std::min(rem, 16 * nv);
    segs.push_back({at, nv, tailMask(width - 16 * (nv - 1))});
    at += width;
  }
  return segs;
}

// How a correlation's output is tiled. Row mode covers each output row with segments; flat mode covers the
// flattened padded grid q = oh*Wp + ow (Wp = OW + KW - 1) in one run of segments, computing the KW-1 columns past
// each row's end as well, so narrow images still fill whole vectors (results are compacted afterwards).
struct Layout {
  bool flat;
  int span;  // flat: (OH-1)*Wp + OW positions; row: OW
  std::vector<Segment> segs;
  double efficiency;  // useful lanes per lane computed, with 16-wide tiles (load-bound) counted at 85%
};

double laneCost(const std::vector<Segment>& segs) {
  double lanes = 0;
  for (const Segment& s : segs) lanes += 16.0 * s.nv * (s.nv == 1 ? 1.0 / 0.85 : 1.0);
  return lanes;
}

// With few output channels (M) a tile has few rows, so it takes more pixels to keep enough accumulators in flight.
Layout chooseLayout(int OH, int OW, int KW, int M) {
  const int Wp = OW + KW - 1, span = (OH - 1) * Wp + OW, nvWide = M <= corrMaxMR(4) ? 4 : 2;
  Layout row{false, OW, rowSegments(OW, nvWide), 0.0}, flat{true, span, rowSegments(span, nvWide), 0.0};
  row.efficiency = static_cast<double>(OW) / laneCost(row.segs);
  flat.efficiency = static_cast<double>(OH) * OW / laneCost(flat.segs);
  return flat.efficiency > row.efficiency + 0.01 ? flat : row;
}

// Zero-pads one image: src[C][Hin][Win] -> dst[C][Hp][Wp], src row r lands at dst row r + padH (pads may be
// negative, which crops).
void padImage(const float* src, int C, int Hin, int Win, int padH, int padW, int Hp, int Wp, float* dst) {
  const int lo = std::clamp(padW, 0, Wp), hi = std::clamp(padW + Win, 0, Wp);
  for (int c = 0; c < C; ++c) {
    const float* sp = src + static_cast<size_t>(c) * Hin * Win;
    float* dp = dst + static_cast<size_t>(c) * Hp * Wp;
    for (int r = 0; r < Hp; ++r) {
      float* d = dp + static_cast<size_t>(r) * Wp;
      const int sr = r - padH;
      if (sr < 0 || sr >= Hin || hi <= lo) {
        std::memset(d, 0, sizeof(float) * Wp);
        continue;
      }
      if (lo > 0) std::memset(d, 0, sizeof(float) * lo);
      std::memcpy(d + lo, sp + static_cast<size_t>(sr) * Win + (lo - padW), sizeof(float) * (hi - lo));
      if (hi < Wp) std::memset(d + hi, 0, sizeof(float) * (Wp - hi));
    }
  }
}

// out[n][M][OH][OW] = bias + sum_{c,kh,kw} wc[m][(c*KH+kh)*KW+kw] * in_n[c][oh+kh-padH][ow+kw-padW] (stride 1).
struct Corr {
  int N, Cin, Hin, Win, padH, padW, KH, KW, M, OH, OW;
};

void correlate(const Corr& p, const float* in, const float* wc, const float* bias, float* out, int threads) {
  const int Hp = p.OH + p.KH - 1, Wp = p.OW + p.KW - 1;
  const int K = p.Cin * p.KH * p.KW;
  const size_t plane = static_cast<size_t>(Hp) * Wp;
  std::vector<int32_t> koff(K);
  for (int c = 0, k = 0; c < p.Cin; ++c)
    for (int kh = 0; kh < p.KH; ++kh)
      for (int kw = 0; kw < p.KW; ++kw) koff[k++] = static_cast<int32_t>(c * plane + kh * Wp + kw);

  const Layout layout = chooseLayout(p.OH, p.OW, p.KW, p.M);
  const std::vector<Segment>& segs = layout.segs;
  // One tiling of M (and one packed copy of the weights) per register-tile width in use.
  struct Tile {
    int m0, mr;
    CorrFn fn;
    const float* a;
  };
  std::vector<Tile> tilesByNv[5];
  bool used[5] = {false, false, false, false, false};
  for (const Segment& s : segs) used[s.nv] = true;
  size_t packed = 0;
  for (int nv = 1; nv <= 4; ++nv)
    if (used[nv]) packed += static_cast<size_t>(p.M) * K;
  float* wpack = t_wpack.get(packed);
  float* at = wpack;
  for (int nv = 1; nv <= 4; ++nv) {
    if (!used[nv]) continue;
    for (auto [m0, mr] : splitRows(p.M, corrMaxMR(nv))) {
      for (int k = 0; k < K; ++k)
        for (int i = 0; i < mr; ++i) at[static_cast<size_t>(k) * mr + i] = wc[static_cast<size_t>(m0 + i) * K + k];
      tilesByNv[nv].push_back({m0, mr, corrFnFor(nv, mr), at});
      at += static_cast<size_t>(mr) * K;
    }
  }

  const size_t inImage = static_cast<size_t>(p.Cin) * p.Hin * p.Win;
  const size_t ldy = static_cast<size_t>(p.OH) * p.OW;
  forImages(p.N, threadsFor(threads, p.N, 2.0 * p.N * p.M * K * ldy), [&](int n0, int n1, int) {
    float* xp = t_pad.get(static_cast<size_t>(p.Cin) * plane);  // this thread's
    float* tmp = layout.flat ? t_flat.get(static_cast<size_t>(p.M) * layout.span) : nullptr;
    for (int n = n0; n < n1; ++n) {
      padImage(in + n * inImage, p.Cin, p.Hin, p.Win, p.padH, p.padW, Hp, Wp, xp);
      float* yn = out + n * static_cast<size_t>(p.M) * ldy;
      if (layout.flat) {
        const size_t ld = layout.span;
        for (const Segment& s : segs)
          for (const Tile& t : tilesByNv[s.nv])
            t.fn(K, t.a, xp + s.ow0, koff.data(), tmp + t.m0 * ld + s.ow0, ld, s.last, bias ? bias + t.m0 : nullptr);
        for (int m = 0; m < p.M; ++m)
          for (int oh = 0; oh < p.OH; ++oh)
            std::memcpy(yn + m * ldy + static_cast<size_t>(oh) * p.OW, tmp + m * ld + static_cast<size_t>(oh) * Wp,
                        sizeof(float) * p.OW);
        continue;
      }
      for (int oh = 0; oh < p.OH; ++oh)
        for (const Segment& s : segs) {
          const float* xb = xp + static_cast<size_t>(oh) * Wp + s.ow0;
          float* yrow = yn + static_cast<size_t>(oh) * p.OW + s.ow0;
          for (const Tile& t : tilesByNv[s.nv])
            t.fn(K, t.a, xb, koff.data(), yrow + t.m0 * ldy, ldy, s.last, bias ? bias + t.m0 : nullptr);
        }
    }
  });
}

// Transposes a block of up to 16x16: rows r < nr (each nc <= 16 floats at src + r*ss) become dst rows c < nc
// (nr floats each, at dst + c*ds). Masked loads and stores, so nothing outside the block is touched.
inline void transpose16(const float* src, size_t ss, int nr, int nc, float* dst, size_t ds) {
  const __mmask16 cm = tailMask(nc), rm = tailMask(nr);
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

// dst[c][r] = src[r][c] for an R x Cn matrix (row strides ss, ds).
void transpose(const float* src, size_t ss, int R, int Cn, float* dst, size_t ds) {
  for (int r0 = 0; r0 < R; r0 += 16)
    for (int c0 = 0; c0 < Cn; c0 += 16)
      transpose16(src + r0 * ss + c0, ss, std::min(16, R - r0), std::min(16, Cn - c0), dst + c0 * ds + r0, ds);
}

// ---------------------------------------------------------------------------------------------------------
// Filter-gradient tile: MR rows r of dw' x (16*NV) output channels, reduced over every pixel of one image.
template <int MR, int NV>
void filtTile(const float* __restrict xh, const int32_t* __restrict roff, const float* __restrict dyt, int ldt, int OH,
              int OW, int rowStride, int C, float* __restrict cp, int ldc) {
  __m512 acc[MR][NV];
  int32_t off[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    off[i] = roff[i];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_loadu_ps(cp + static_cast<size_t>(i) * ldc + 16 * v);
  }
  for (int oh = 0; oh < OH; ++oh) {
    const float* xr = xh + static_cast<size_t>(oh) * rowStride;
    const float* dr = dyt + static_cast<size_t>(oh) * OW * ldt;
    for (int ow = 0; ow < OW; ++ow) {
      const float* xb = xr + static_cast<size_t>(ow) * C;
      const float* db = dr + static_cast<size_t>(ow) * ldt;
      __m512 b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(db + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const __m512 ai = _mm512_set1_ps(xb[off[i]]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, b[v], acc[i][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(cp + static_cast<size_t>(i) * ldc + 16 * v, acc[i][v]);
}

using FiltFn = void (*)(const float*, const int32_t*, const float*, int, int, int, int, int, float*, int);

constexpr int filtMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 13 : nv == 3 ? 8 : 6; }

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

// The correlation kernels need at least ~60% of their vector lanes doing useful work to beat im2col + GEMM; the
// filter gradient reduces over pixels, so it only needs enough of them per image to amortize its tile loads.
// Offsets into one padded image are int32.
static bool fitsInt32(size_t channels, size_t rows, size_t cols) { return channels * rows * cols < (size_t{1} << 31); }

bool suitableForward(const Shape& s) {
  return fitsInt32(s.C, s.OH + s.KH - 1, s.OW + s.KW - 1) && chooseLayout(s.OH, s.OW, s.KW, s.O).efficiency >= 0.6;
}
bool suitableBackwardData(const Shape& s) {
  return fitsInt32(s.O, s.H + s.KH - 1, s.W + s.KW - 1) && chooseLayout(s.H, s.W, s.KW, s.C).efficiency >= 0.6;
}
bool suitableBackwardFilter(const Shape& s) {
  return fitsInt32(s.C, s.H + 2 * s.pad, s.W + 2 * s.pad) && static_cast<long>(s.OH) * s.OW >= 64;
}

void forward(const Shape& s, const float* x, const float* w, const float* b, float* y, int threads) {
  Corr p{s.N, s.C, s.H, s.W, s.pad, s.pad, s.KH, s.KW, s.O, s.OH, s.OW};
  correlate(p, x, w, b, y, threads);  // w[O][C][KH][KW] is already the [M][K] matrix
}

void backwardData(const Shape& s, const float* dy, const float* w, float* dx, int threads) {
  // dx[c][ih][iw] = sum_{o,kh,kw} w[o][c][KH-1-kh][KW-1-kw] * dyp[o][ih+kh][iw+kw], dy padded by K-1-pad.
  const int K = s.O * s.KH * s.KW;
  std::vector<float> wc(static_cast<size_t>(s.C) * K);
  for (int o = 0; o < s.O; ++o)
    for (int c = 0; c < s.C; ++c)
      for (int kh = 0; kh < s.KH; ++kh)
        for (int kw = 0; kw < s.KW; ++kw)
          wc[static_cast<size_t>(c) * K + (o * s.KH + kh) * s.KW + kw] =
              w[((static_cast<size_t>(o) * s.C + c) * s.KH + (s.KH - 1 - kh)) * s.KW + (s.KW - 1 - kw)];
  Corr p{s.N, s.O, s.OH, s.OW, s.KH - 1 - s.pad, s.KW - 1 - s.pad, s.KH, s.KW, s.C, s.H, s.W};
  correlate(p, dy, wc.data(), nullptr, dx, threads);
}

void backwardFilter(const Shape& s, const float* dy, const float* x, float* dw, float* db, bool accumulate,
                    int threads) {
  const int Hp = s.H + 2 * s.pad, Wp = s.W + 2 * s.pad;
  const int P = s.OH * s.OW;
  const int R = s.KH * s.KW * s.C;  // rows r = (kh*KW + kw)*C + c
  const int Opad = (s.O + 15) / 16 * 16;
  std::vector<int32_t> roff(R);
  for (int kh = 0, r = 0; kh < s.KH; ++kh)
    for (int kw = 0; kw < s.KW; ++kw)
      for (int c = 0; c < s.C; ++c) roff[r++] = (kh * Wp + kw) * s.C + c;

  // Output-channel strips: 64 wide (NV=4) where possible, remainder with the narrowest width that holds it.
  struct Tile {
    int r0, o0;
    FiltFn fn;
  };
  std::vector<Tile> tiles;
  for (int o0 = 0; o0 < Opad;) {
    int nv = std::min(4, (Opad - o0) / 16);
    for (auto [r0, mr] : splitRows(R, filtMaxMR(nv))) tiles.push_back({r0, o0, filtFnFor(nv, mr)});
    o0 += 16 * nv;
  }

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
          __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
          int p = 0;
          for (; p + 32 <= P; p += 32) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(src + p));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(src + p + 16));
          }
          for (; p < P; p += 16) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(tailMask(P - p), src + p));
          bsum[o] += static_cast<double>(_mm512_reduce_add_ps(_mm512_add_ps(s0, s1)));
        }
      for (const Tile& t : tiles)
        t.fn(xh, roff.data() + t.r0, dyt + t.o0, Opad, s.OH, s.OW, Wp * s.C, s.C,
             acc + static_cast<size_t>(t.r0) * Opad + t.o0, Opad);
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
