// Direct stride-1 convolution kernels, forward and backward-data (see convk.h).
//
// Both passes are "correlations": out[m][oh][ow] = sum_k A[m][k] * xp[koff[k] + oh*Wp + ow] over a zero-padded
// input xp, with k = (c, kh, kw) and koff[k] = (c*Hp + kh)*Wp + kw. An output tile is MR output channels x
// NR = W*NV consecutive pixels of one output row (or, for narrow images, of the flattened padded grid, see
// Layout), W being the vector width (16 with AVX-512, 8 with AVX2); its accumulators live in MR*NV vector registers
// while k runs over the whole reduction, each step loading NV vectors straight from the padded image (the im2col
// row segment, which is just a shifted input row) and broadcasting MR weights packed [k][MR]. Backward-data is the
// forward correlation of dy (padded by KH-1-pad) with the flipped, transposed weights, so it needs no col2im
// scatter.
//
// Images are independent, so with several threads each takes a contiguous range of the batch.
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/convk.h"
#include "kernels/convk_common.h"

namespace tl {
namespace convk {

#if !defined(TL_CONVK)

bool compiled() { return false; }
bool suitableForward(const Shape&) { return false; }
bool suitableBackwardData(const Shape&) { return false; }
void forward(const Shape&, const float*, const float*, const float*, float*, int) {}
void backwardData(const Shape&, const float*, const float*, float*, int) {}

#else

bool compiled() { return true; }

namespace {

thread_local Scratch t_wpack, t_flat;

// ---------------------------------------------------------------------------------------------------------
// Correlation tile: MR output channels x (W*NV) consecutive output positions; with Tail, the last vector is
// partial (masked by `last`). The accumulators start from the bias (or zero), or with `add` from y itself (a later
// part of a split reduction).
template <int MR, int NV, bool Tail>
void corrTile(int K, const float* __restrict a, const float* __restrict xb, const int32_t* __restrict koff,
              float* __restrict y, size_t ldy, Vec::Mask last, const float* __restrict bias, bool add) {
  Vec::Reg acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    const Vec::Reg init = bias ? Vec::set1(bias[i]) : Vec::zero();
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = init;
    if (add) {
      const float* yr = y + static_cast<size_t>(i) * ldy;
#pragma GCC unroll 4
      for (int v = 0; v < NV - 1; ++v) acc[i][v] = Vec::load(yr + W * v);
      acc[i][NV - 1] = Tail ? Vec::load(yr + W * (NV - 1), last) : Vec::load(yr + W * (NV - 1));
    }
  }
  for (int k = 0; k < K; ++k) {
    const float* src = xb + koff[k];
    Vec::Reg b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; ++v) b[v] = Vec::load(src + W * v);
    b[NV - 1] = Tail ? Vec::load(src + W * (NV - 1), last) : Vec::load(src + W * (NV - 1));
    const float* ak = a + static_cast<size_t>(k) * MR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const Vec::Reg ai = Vec::set1(ak[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = Vec::fmadd(ai, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    float* yr = y + static_cast<size_t>(i) * ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; ++v) Vec::store(yr + W * v, acc[i][v]);
    if constexpr (Tail)
      Vec::store(yr + W * (NV - 1), last, acc[i][NV - 1]);
    else
      Vec::store(yr + W * (NV - 1), acc[i][NV - 1]);
  }
}

using CorrFn = void (*)(int, const float*, const float*, const int32_t*, float*, size_t, Vec::Mask, const float*, bool);

// Register-tile limits: MR*NV accumulators, NV loaded vectors and one broadcast must fit in the register file.
#if defined(__AVX512F__)
constexpr int corrMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 13 : nv == 3 ? 8 : 6; }
// Tile width (in vectors) for long runs of outputs: with few output channels (M) a tile has few rows, so it takes
// more pixels to keep enough accumulators in flight.
int wideNv(int M) { return M <= corrMaxMR(4) ? 4 : 2; }
// Row mode runs each tile over the whole reduction, output row by output row.
constexpr int kChunkK = 0;
#else
constexpr int corrMaxMR(int nv) { return nv == 1 ? 14 : nv == 2 ? 6 : nv == 3 ? 4 : 2; }
int wideNv(int M) { return M <= corrMaxMR(4) ? 4 : M <= corrMaxMR(3) ? 3 : 2; }
// Row mode splits the reduction into chunks of whole input channels, about this many k each, and runs each tile
// down the image per chunk, so the tile's packed weights and the few input rows it reads stay in L1 (measured on
// 64->64 channels at 32x32: 76-78 GFLOPS against 67-70 over the whole reduction, row by row).
constexpr int kChunkK = 256;
#endif

template <int NV, bool Tail, int MR = 1>
CorrFn corrFn(int mr) {
  if constexpr (MR > corrMaxMR(NV)) {
    return nullptr;
  } else {
    return mr == MR ? &corrTile<MR, NV, Tail> : corrFn<NV, Tail, MR + 1>(mr);
  }
}

template <bool Tail>
CorrFn corrFnFor(int nv, int mr) {
  switch (nv) {
    case 1: return corrFn<1, Tail>(mr);
    case 2: return corrFn<2, Tail>(mr);
    case 3: return corrFn<3, Tail>(mr);
    default: return corrFn<4, Tail>(mr);
  }
}

// AVX-512 masking costs nothing, so every tile there takes the masked form; AVX2's masked loads cost an extra uop
// and its masked stores are far slower (microcoded on AMD), so whole tiles take plain ones.
#if defined(__AVX512F__)
CorrFn corrFnFor(int nv, int mr, bool) { return corrFnFor<true>(nv, mr); }
#else
CorrFn corrFnFor(int nv, int mr, bool tail) { return tail ? corrFnFor<true>(nv, mr) : corrFnFor<false>(nv, mr); }
#endif

struct Segment {
  int ow0, nv;
  bool tail;  // the last vector is partial
  Vec::Mask last;
};

// Covers a run of outputs with register-tile widths: tiles of W*nvWide, the remainder with the narrowest width
// that holds it.
std::vector<Segment> rowSegments(int OW, int nvWide) {
  std::vector<Segment> segs;
  int at = 0;
  while (at < OW) {
    int rem = OW - at;
    int nv = rem > W * (nvWide + 1) ? nvWide : std::min(4, (rem + W - 1) / W);
    int width = std::min(rem, W * nv);
    segs.push_back({at, nv, width < W * nv, Vec::mask(width - W * (nv - 1))});
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
  double efficiency;  // useful lanes per lane computed, with one-vector tiles (load-bound) counted at 85%
};

double laneCost(const std::vector<Segment>& segs) {
  double lanes = 0;
  for (const Segment& s : segs) lanes += static_cast<double>(W) * s.nv * (s.nv == 1 ? 1.0 / 0.85 : 1.0);
  return lanes;
}

Layout chooseLayout(int OH, int OW, int KW, int M) {
  const int Wp = OW + KW - 1, span = (OH - 1) * Wp + OW, nvWide = wideNv(M);
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
    CorrFn fn[2];  // for whole segments, and for those with a partial last vector
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
      tilesByNv[nv].push_back({m0, mr, {corrFnFor(nv, mr, false), corrFnFor(nv, mr, true)}, at});
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
            t.fn[s.tail](K, t.a, xp + s.ow0, koff.data(), tmp + t.m0 * ld + s.ow0, ld, s.last,
                         bias ? bias + t.m0 : nullptr, false);
        for (int m = 0; m < p.M; ++m)
          for (int oh = 0; oh < p.OH; ++oh)
            std::memcpy(yn + m * ldy + static_cast<size_t>(oh) * p.OW, tmp + m * ld + static_cast<size_t>(oh) * Wp,
                        sizeof(float) * p.OW);
        continue;
      }
      // Reduction k0 .. k0+kn of one tile at one segment of output row oh.
      auto run = [&](const Tile& t, const Segment& s, int oh, int k0, int kn) {
        const float* xb = xp + static_cast<size_t>(oh) * Wp + s.ow0;
        float* yt = yn + static_cast<size_t>(oh) * p.OW + s.ow0 + t.m0 * ldy;
        t.fn[s.tail](kn, t.a + static_cast<size_t>(k0) * t.mr, xb, koff.data() + k0, yt, ldy, s.last,
                     bias && k0 == 0 ? bias + t.m0 : nullptr, k0 > 0);
      };
      if constexpr (kChunkK == 0) {
        for (int oh = 0; oh < p.OH; ++oh)
          for (const Segment& s : segs)
            for (const Tile& t : tilesByNv[s.nv]) run(t, s, oh, 0, K);
      } else {
        const int perChannel = p.KH * p.KW, chunks = (K + kChunkK - 1) / kChunkK;
        for (int chunk = 0; chunk < chunks; ++chunk) {
          const int c0 = static_cast<int>(rangeStart(p.Cin, chunk, chunks));
          const int c1 = static_cast<int>(rangeStart(p.Cin, chunk + 1, chunks));
          for (const Segment& s : segs)
            for (const Tile& t : tilesByNv[s.nv])
              for (int oh = 0; oh < p.OH; ++oh) run(t, s, oh, c0 * perChannel, (c1 - c0) * perChannel);
        }
      }
    }
  });
}

// Whether a correlation (M outputs, reduction K) beats im2col + GEMM: it needs at least ~60% of its vector lanes
// doing useful work. On AVX2 (measured against OpenBLAS on an AMD EPYC, 1 thread) also:
// - on small images (flat mode, or rows of one vector, whose tiles are load-bound) a long reduction does not pay:
//   64 channels at 8x8 (K = 576) are 15-25% faster than im2col, 128->256 and 256->256 channels at 8x8
//   (K = 1152 to 2304) 0-15% slower, 256->512 and 512->512 at 4x4 up to 40% slower;
// - with M < 4 a tile holds too few accumulators to hide the FMA latency over a long reduction: backward-data of
//   3->64 channels at 32x32 (K = 576) is ~10% slower than im2col, of 3->16 channels (K = 144) 25-35% faster.
bool suitableCorrelation(int OH, int OW, int KW, int M, [[maybe_unused]] int K) {
  const Layout layout = chooseLayout(OH, OW, KW, M);
  if (layout.efficiency < 0.6) return false;
#if !defined(__AVX512F__)
  if (((layout.flat || OW <= W) && K > 1024) || (M < 4 && K > 256)) return false;
#endif
  return true;
}

}  // namespace

bool suitableForward(const Shape& s) {
  return fitsInt32(s.C, s.OH + s.KH - 1, s.OW + s.KW - 1) &&
         suitableCorrelation(s.OH, s.OW, s.KW, s.O, s.C * s.KH * s.KW);
}
bool suitableBackwardData(const Shape& s) {
  return fitsInt32(s.O, s.H + s.KH - 1, s.W + s.KW - 1) && suitableCorrelation(s.H, s.W, s.KW, s.C, s.O * s.KH * s.KW);
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

#endif

}  // namespace convk
}  // namespace tl
