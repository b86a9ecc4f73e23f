// Sparse linear kernels (sparse.h).
#include "kernels/sparse.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#include "kernels/simd.h"

namespace tl {

#if TL_VEC_LANES > 0
// The batch row is NB vectors of Vec::W floats, the last one masked when N is not a multiple of W, so the tail
// costs one masked vector op instead of a scalar loop (masked loads never fault past the row's end).
//
// Rows are visited in column blocks (blockCols input features at a time, see columnBlock): every non-zero reads
// one input feature's batch row, and within a block those rows stay in L1 for all the output rows that use them
// instead of coming from L2 once per non-zero. `cursor` remembers where each row's non-zeros stopped. Each output
// row still adds its non-zeros in CSR order, so results do not depend on the blocking.
template <int NB>
static void forwardRows(const Csr& c, const float* val, const float* b, const float* xT, float* yT, int N, int ld,
                        int r0, int r1, int blockCols) {
  constexpr int W = Vec::W;
  const Vec::Mask last = Vec::mask(N - W * (NB - 1));
  thread_local std::vector<int32_t> cursor;
  cursor.assign(c.rowPtr + r0, c.rowPtr + r1);
  for (int c0 = 0; c0 < c.cols; c0 += blockCols) {
    const int c1 = std::min(c.cols, c0 + blockCols);
    for (int i = r0; i < r1; ++i) {
      int32_t k = cursor[i - r0];
      const int32_t end = c.rowPtr[i + 1];
      float* y = yT + static_cast<size_t>(i) * ld;
      Vec::Reg acc[NB];
      if (c0 == 0) {  // the first block writes every row, bias included
        const Vec::Reg b0 = Vec::set1(b ? b[i] : 0.0f);
        for (int q = 0; q < NB; ++q) acc[q] = b0;
      } else {
        if (k == end || c.col[k] >= c1) continue;
        for (int q = 0; q < NB - 1; ++q) acc[q] = Vec::load(y + W * q);
        acc[NB - 1] = Vec::load(y + W * (NB - 1), last);
      }
      for (; k < end && c.col[k] < c1; ++k) {
        const Vec::Reg w = Vec::set1(val[k]);
        const float* x = xT + static_cast<size_t>(c.col[k]) * ld;
        for (int q = 0; q < NB - 1; ++q) acc[q] = Vec::fmadd(w, Vec::load(x + W * q), acc[q]);
        acc[NB - 1] = Vec::fmadd(w, Vec::load(x + W * (NB - 1), last), acc[NB - 1]);
      }
      cursor[i - r0] = k;
      for (int q = 0; q < NB - 1; ++q) Vec::store(y + W * q, acc[q]);
      Vec::store(y + W * (NB - 1), last, acc[NB - 1]);
    }
  }
}

// A lone dot product's sum. With AVX-512 it is the tree Vec::sum4 gives each of four (backwardRows groups them), so
// grouped and lone sums agree bit for bit; AVX2 builds do not group: an 8-lane sum is cheap next to a 60-wide
// row's 8 FMAs, and grouping measured 2-7% slower there.
static inline float sumOne(Vec::Reg s) {
#if TL_VEC_LANES == 16
  return _mm_cvtss_f32(Vec::sum4(s, s, s, s));
#else
  return Vec::sum(s);
#endif
}

// Column-blocked like forwardRows; the input gradient's rows of the block stay in L1 as well. The bias gradient is
// taken on the first block, for every row.
template <int NB>
static void backwardRows(const Csr& c, const float* val, const float* xT, const float* dyT, float* dxT, float* dval,
                         float* db, int N, int ld, bool acc, int r0, int r1, int blockCols) {
  constexpr int W = Vec::W;
  const Vec::Mask last = Vec::mask(N - W * (NB - 1));
  thread_local std::vector<int32_t> cursor;
  cursor.assign(c.rowPtr + r0, c.rowPtr + r1);
  for (int c0 = 0; c0 < c.cols; c0 += blockCols) {
    const int c1 = std::min(c.cols, c0 + blockCols);
    for (int i = r0; i < r1; ++i) {
      int32_t k = cursor[i - r0];
      const int32_t end = c.rowPtr[i + 1];
      if (c0 > 0 && (k == end || c.col[k] >= c1)) continue;
      const float* g = dyT + static_cast<size_t>(i) * ld;
      Vec::Reg gv[NB];
      for (int q = 0; q < NB - 1; ++q) gv[q] = Vec::load(g + W * q);
      gv[NB - 1] = Vec::load(g + W * (NB - 1), last);
      if (db && c0 == 0) {
        Vec::Reg s = gv[0];
        for (int q = 1; q < NB; ++q) s = Vec::add(s, gv[q]);
        const float t = Vec::sum(s);
        db[i] = acc ? db[i] + t : t;
      }
      const auto dot = [&](int32_t j) {
        const float* x = xT + static_cast<size_t>(c.col[j]) * ld;
        Vec::Reg s = Vec::mul(gv[0], NB == 1 ? Vec::load(x, last) : Vec::load(x));
        for (int q = 1; q < NB - 1; ++q) s = Vec::fmadd(gv[q], Vec::load(x + W * q), s);
        if (NB > 1) s = Vec::fmadd(gv[NB - 1], Vec::load(x + W * (NB - 1), last), s);
        return s;
      };
#if TL_VEC_LANES == 16
      if (dval && !dxT) {
        // Without an input gradient, four dot products share one shuffle tree (Vec::sum4): a 16-lane reduction
        // per non-zero cost more than its FMAs (LeNet's fc1 at 41% density: 0.46 -> 0.38 ms on a busy AMD EPYC,
        // unchanged when it was quiet). With one, grouping measured slower.
        int32_t e = k;
        while (e < end && c.col[e] < c1) ++e;
        for (; k + 4 <= e; k += 4) {
          __m128 t = Vec::sum4(dot(k), dot(k + 1), dot(k + 2), dot(k + 3));
          if (acc) t = _mm_add_ps(_mm_loadu_ps(dval + k), t);
          _mm_storeu_ps(dval + k, t);
        }
      }
#endif
      for (; k < end && c.col[k] < c1; ++k) {
        if (dval) {
          const Vec::Reg s = dot(k);
          const float t = sumOne(s);
          dval[k] = acc ? dval[k] + t : t;
        }
        if (dxT) {
          const Vec::Reg w = Vec::set1(val[k]);
          float* dx = dxT + static_cast<size_t>(c.col[k]) * ld;
          for (int q = 0; q < NB - 1; ++q) Vec::store(dx + W * q, Vec::fmadd(w, gv[q], Vec::load(dx + W * q)));
          float* dl = dx + W * (NB - 1);
          Vec::store(dl, last, Vec::fmadd(w, gv[NB - 1], Vec::load(dl, last)));
        }
      }
      cursor[i - r0] = k;
    }
  }
}
static constexpr int kMaxBlocks = 8;
static inline int blocksFor(int N) { return (N + Vec::W - 1) / Vec::W; }
#else
template <int NB>
static void forwardRows(const Csr& c, const float* val, const float* b, const float* xT, float* yT, int N, int ld,
                        int r0, int r1, int blockCols);
template <int NB>
static void backwardRows(const Csr& c, const float* val, const float* xT, const float* dyT, float* dxT, float* dval,
                         float* db, int N, int ld, bool acc, int r0, int r1, int blockCols);
static constexpr int kMaxBlocks = 0;  // no vector kernels: the generic loops below (auto-vectorized) serve every N
static inline int blocksFor(int) { return kMaxBlocks + 1; }
#endif

// Batches of up to 8 vectors (N <= 128 with AVX-512, 64 with AVX2) run the register-blocked kernels in one piece;
// larger ones run them in column chunks (forwardRange / backwardRange below); builds without vector kernels run
// the generic loops.
template <template <int> class F, typename... A>
static bool dispatchNB(int N, A... args) {
  const int nb = blocksFor(N);
  if (nb < 1 || nb > kMaxBlocks) return false;
#if TL_VEC_LANES > 0
  switch (nb) {
    case 1: F<1>::run(args...); return true;
    case 2: F<2>::run(args...); return true;
    case 3: F<3>::run(args...); return true;
    case 4: F<4>::run(args...); return true;
    case 5: F<5>::run(args...); return true;
    case 6: F<6>::run(args...); return true;
    case 7: F<7>::run(args...); return true;
    case 8: F<8>::run(args...); return true;
  }
#endif
  return false;
}
template <int NB>
struct Fwd {
  static void run(const Csr* c, const float* v, const float* b, const float* x, float* y, int N, int ld, int r0, int r1,
                  int blockCols) {
    forwardRows<NB>(*c, v, b, x, y, N, ld, r0, r1, blockCols);
  }
};
template <int NB>
struct Bwd {
  static void run(const Csr* c, const float* v, const float* x, const float* g, float* dx, float* dv, float* db, int N,
                  int ld, bool acc, int r0, int r1, int blockCols) {
    backwardRows<NB>(*c, v, x, g, dx, dv, db, N, ld, acc, r0, r1, blockCols);
  }
};

[[maybe_unused]] static void forwardGeneric(const Csr& c, const float* val, const float* b, const float* xT, float* yT,
                                            int N, int r0, int r1) {
  for (int i = r0; i < r1; ++i) {
    float* __restrict y = yT + static_cast<size_t>(i) * N;
    const float b0 = b ? b[i] : 0.0f;
    for (int n = 0; n < N; ++n) y[n] = b0;
    for (int32_t k = c.rowPtr[i]; k < c.rowPtr[i + 1]; ++k) {
      const float w = val[k];
      const float* __restrict x = xT + static_cast<size_t>(c.col[k]) * N;
      for (int n = 0; n < N; ++n) y[n] += w * x[n];
    }
  }
}

[[maybe_unused]] static void backwardGeneric(const Csr& c, const float* val, const float* xT, const float* dyT,
                                             float* dxT, float* dval, float* db, int N, bool acc, int r0, int r1) {
  for (int i = r0; i < r1; ++i) {
    const float* __restrict g = dyT + static_cast<size_t>(i) * N;
    if (db) {
      float s = 0;
      for (int n = 0; n < N; ++n) s += g[n];
      db[i] = acc ? db[i] + s : s;
    }
    for (int32_t k = c.rowPtr[i]; k < c.rowPtr[i + 1]; ++k) {
      const size_t off = static_cast<size_t>(c.col[k]) * N;
      if (dval) {
        const float* __restrict x = xT + off;
        double s = 0;
        for (int n = 0; n < N; ++n) s += g[n] * x[n];
        dval[k] = acc ? dval[k] + static_cast<float>(s) : static_cast<float>(s);
      }
      if (dxT) {
        const float w = val[k];
        float* __restrict dx = dxT + off;
        for (int n = 0; n < N; ++n) dx[n] += w * g[n];
      }
    }
  }
}

// Rows [r0, r1) over the whole batch. Batches wider than the register-blocked kernels (8 vectors) are cut into column
// chunks of 8 vectors that run those kernels with the full row stride; the weight and bias gradients add up over
// chunks.
// Input features per column block for a batch chunk of `width` floats: the block's feature rows (and, in the
// backward pass with an input gradient, as many gradient rows) fill about 28 KB of a 32 KB L1. A block visit of a
// row loads and stores its accumulators, so blocks are merged until a visit averages 12 non-zeros: a very sparse
// layer runs in one block. On the 2-core AMD EPYC (Zen 4) this took LeNet's fc1 forward at 51% density from 0.32
// to 0.25 ms (batch 60) and left 3.5% as it was.
[[maybe_unused]] static int columnBlock(const Csr& c, int r0, int r1, int width, bool withDx) {
  if (r1 <= r0 || c.cols <= 0) return std::max(c.cols, 1);
  const int budget = withDx ? 14 * 1024 : 28 * 1024;
  const int byL1 = std::max(16, budget / (width * static_cast<int>(sizeof(float))));
  const int blocks = (c.cols + byL1 - 1) / byL1;
  const double perRow = static_cast<double>(c.rowPtr[r1] - c.rowPtr[r0]) / (r1 - r0);
  const int worth = std::max(1, static_cast<int>(perRow / 48.0));
  const int n = std::min(blocks, worth);
  return (c.cols + n - 1) / n;
}

static void forwardRange(const Csr& c, const float* val, const float* b, const float* xT, float* yT, int N, int r0,
                         int r1) {
#if TL_VEC_LANES > 0
  constexpr int kChunk = Vec::W * kMaxBlocks;
  const int bc = columnBlock(c, r0, r1, std::min(N, kChunk), false);
  if (dispatchNB<Fwd>(N, &c, val, b, xT, yT, N, N, r0, r1, bc)) return;
  for (int c0 = 0; c0 < N; c0 += kChunk)
    dispatchNB<Fwd>(std::min(kChunk, N - c0), &c, val, b, xT + c0, yT + c0, std::min(kChunk, N - c0), N, r0, r1, bc);
#else
  forwardGeneric(c, val, b, xT, yT, N, r0, r1);
#endif
}

static void backwardRange(const Csr& c, const float* val, const float* xT, const float* dyT, float* dxT, float* dval,
                          float* db, int N, bool acc, int r0, int r1) {
#if TL_VEC_LANES > 0
  constexpr int kChunk = Vec::W * kMaxBlocks;
  const int bc = columnBlock(c, r0, r1, std::min(N, kChunk), dxT != nullptr);
  if (dispatchNB<Bwd>(N, &c, val, xT, dyT, dxT, dval, db, N, N, acc, r0, r1, bc)) return;
  for (int c0 = 0; c0 < N; c0 += kChunk) {
    const int w = std::min(kChunk, N - c0);
    dispatchNB<Bwd>(w, &c, val, xT + c0, dyT + c0, dxT ? dxT + c0 : nullptr, dval, db, w, N, acc || c0 > 0, r0, r1, bc);
  }
#else
  backwardGeneric(c, val, xT, dyT, dxT, dval, db, N, acc, r0, r1);
#endif
}

// Threads for a sparse layer call: a second thread pays once a share is a couple of hundred microseconds of work.
// A pool worker takes a job in ~2 us, but inside a training step, where JavaScript runs between the kernels, a
// worker spinning for the next job competes with V8's own helper threads for the cores: on a 2-core AMD EPYC a 3.5%
// LeNet step took 0.45-0.58 ms on 2 threads against 0.40 ms on one when its 0.5M-FMA layers were split.
static int sparseThreads(size_t nnz, int N) {
  const double fmas = static_cast<double>(nnz) * N;
  return fmas < 2e6 ? 1 : std::max(1, std::min(getThreads(), static_cast<int>(fmas / 1e6)));
}

// Row r where the non-zeros before it first reach share t of T (row ranges of about equal work).
static int rowSplit(const Csr& c, int t, int T) {
  if (t <= 0) return 0;
  if (t >= T) return c.rows;
  const int32_t target = static_cast<int32_t>(rangeStart(c.nnz, t, T));
  return static_cast<int>(std::lower_bound(c.rowPtr, c.rowPtr + c.rows + 1, target) - c.rowPtr);
}

static thread_local std::vector<float> t_dx;

void sparseLinearForward(const Csr& c, const float* val, const float* b, const float* xT, float* yT, int N) {
  const int T = sparseThreads(c.nnz, N);
  parallelChunks(T, T, [&](int t) { forwardRange(c, val, b, xT, yT, N, rowSplit(c, t, T), rowSplit(c, t + 1, T)); });
}

void sparseLinearBackward(const Csr& c, const float* val, const float* xT, const float* dyT, float* dxT, float* dval,
                          float* db, int N, bool acc) {
  const size_t dxLen = static_cast<size_t>(c.cols) * N;
  if (dxT) std::fill(dxT, dxT + dxLen, 0.0f);
  // Rows split across threads: weight and bias gradients are per row, but every row adds into the input gradient,
  // so threads other than the first add into a private buffer that is summed in afterwards.
  const int T = sparseThreads(c.nnz, N);
  std::vector<float*> partial(T, nullptr);
  parallelRun(T, [&](int t) {
    float* dx = dxT;
    if (dxT && t > 0) {
      t_dx.assign(dxLen, 0.0f);
      dx = partial[t] = t_dx.data();
    }
    const int r0 = rowSplit(c, t, T), r1 = rowSplit(c, t + 1, T);
    backwardRange(c, val, xT, dyT, dx, dval, db, N, acc, r0, r1);
  });
  if (dxT && T > 1)
    parallelRun(T, [&](int t) {
      const size_t j0 = rangeStart(dxLen, t, T), j1 = rangeStart(dxLen, t + 1, T);
      for (int u = 1; u < T; ++u)
        for (size_t j = j0; j < j1; ++j) dxT[j] += partial[u][j];
    });
}

}  // namespace tl
