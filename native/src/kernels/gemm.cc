// GEMM (gemm.h): OpenBLAS's cblas_sgemm or a cache-blocked portable loop, run on blocks of C by the kernel pool
// when several threads are allowed.
#include "kernels/gemm.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#ifdef TL_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace tl {

// 16 independent partial sums so the compiler vectorizes the dot product without -ffast-math.
static inline float dot(const float* a, const float* b, int n) {
  float acc[16] = {0};
  int k = 0;
  for (; k + 16 <= n; k += 16)
    for (int l = 0; l < 16; ++l) acc[l] += a[k + l] * b[k + l];
  float s = 0;
  for (int l = 0; l < 16; ++l) s += acc[l];
  for (; k < n; ++k) s += a[k] * b[k];
  return s;
}

// Row-major with leading dimensions (lda, ldb, ldc: elements between rows), so a thread can run a block of C.
static void fallbackGemm(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                         int ldb, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    float* c = C + static_cast<size_t>(i) * ldc;
    if (beta == 0.0f)
      std::fill(c, c + N, 0.0f);
    else if (beta != 1.0f)
      for (int j = 0; j < N; ++j) c[j] *= beta;
  }
  if (M == 0 || N == 0 || K == 0) return;
  std::vector<float> tmp;
  if (tB && tA) {  // rare: materialize B^T and fall through to the transA path
    tmp.resize(static_cast<size_t>(K) * N);
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < K; ++k) tmp[static_cast<size_t>(k) * N + j] = B[static_cast<size_t>(j) * ldb + k];
    B = tmp.data();
    ldb = N;
    tB = false;
  }
  if (tB) {  // C[i,j] += alpha * dot(A[i,:], B[j,:])
    const int JB = 64;
    for (int j0 = 0; j0 < N; j0 += JB) {
      int j1 = std::min(N, j0 + JB);
      for (int i = 0; i < M; ++i) {
        const float* a = A + static_cast<size_t>(i) * lda;
        float* c = C + static_cast<size_t>(i) * ldc;
        for (int j = j0; j < j1; ++j) c[j] += alpha * dot(a, B + static_cast<size_t>(j) * ldb, K);
      }
    }
    return;
  }
  // op(B) = B (K x N): C[i,:] += alpha * op(A)[i,k] * B[k,:], blocked over k and j to stay in cache.
  const int KB = 128, JB = 512;
  for (int j0 = 0; j0 < N; j0 += JB) {
    int j1 = std::min(N, j0 + JB), jn = j1 - j0;
    for (int k0 = 0; k0 < K; k0 += KB) {
      int k1 = std::min(K, k0 + KB);
      for (int i = 0; i < M; ++i) {
        float* __restrict c = C + static_cast<size_t>(i) * ldc + j0;
        for (int k = k0; k < k1; ++k) {
          float a = alpha * (tA ? A[static_cast<size_t>(k) * lda + i] : A[static_cast<size_t>(i) * lda + k]);
          if (a == 0.0f) continue;
          const float* __restrict b = B + static_cast<size_t>(k) * ldb + j0;
          for (int j = 0; j < jn; ++j) c[j] += a * b[j];
        }
      }
    }
  }
}

static void gemmBlock(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                      int ldb, float beta, float* C, int ldc) {
#ifdef TL_HAVE_OPENBLAS
  if (gemmUsesBlas()) {
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda,
                B, ldb, beta, C, ldc);
    return;
  }
#endif
  fallbackGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemmStrided(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                 float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  gemmBlock(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemmBatched(bool tA, bool tB, int batch, int M, int N, int K, float alpha, const float* A, const float* B,
                 float beta, float* C) {
  if (batch == 0 || M == 0 || N == 0) return;
  const int lda = tA ? M : K, ldb = tB ? K : N;
  const size_t sa = static_cast<size_t>(M) * K, sb = static_cast<size_t>(K) * N, sc = static_cast<size_t>(M) * N;
  const double macs = static_cast<double>(batch) * M * N * K;
  const int T = macs < 1e6 ? 1 : std::max(1, std::min(getThreads(), batch));
  parallelChunks(batch, T, [&](int i) {
    gemmBlock(tA, tB, M, N, K, alpha, A + i * sa, lda, B + i * sb, ldb, beta, C + i * sc, N);
  });
}

// With several threads, C is cut into blocks of rows (or of columns, when it has few rows) and each thread runs
// a single-threaded GEMM on its block. OpenBLAS's own threads stay off: its workers busy-wait after each call and
// would fight the kernel pool (parallel.h) for the same cores; one pool serves every threaded kernel instead.
void gemm(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  const int lda = tA ? M : K, ldb = tB ? K : N;
  const double macs = static_cast<double>(M) * N * K;
  const bool byRows = M >= N || M >= 64;
  const int span = byRows ? M : N;
  // A block must be worth handing over (~1 µs) and wide enough for the GEMM kernels' register tiles.
  const int T = macs < 1e6 ? 1 : std::max(1, std::min({getThreads(), span / 16, static_cast<int>(macs / 5e5)}));
  if (T == 1) {
    gemmBlock(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
    return;
  }
  // One block per thread, taken as threads come free (parallelChunks): when a worker is descheduled the calling
  // thread runs its block too instead of waiting. (Two or four blocks per thread made each GEMM smaller and were
  // no faster: LeNet's dense step on 2 threads of the 2-core AMD EPYC, median of 6 x 300 steps, 0.70-0.83 ms with
  // one, 0.72-0.88 with two, 0.82-0.96 with four; 1.33 ms with fixed shares.)
  parallelChunks(T, T, [&](int t) {
    const int a0 = static_cast<int>(rangeStart(span, t, T)), a1 = static_cast<int>(rangeStart(span, t + 1, T));
    if (a1 <= a0) return;
    if (byRows)
      gemmBlock(tA, tB, a1 - a0, N, K, alpha, tA ? A + a0 : A + static_cast<size_t>(a0) * lda, lda, B, ldb, beta,
                C + static_cast<size_t>(a0) * N, N);
    else
      gemmBlock(tA, tB, M, a1 - a0, K, alpha, A, lda, tB ? B + static_cast<size_t>(a0) * ldb : B + a0, ldb, beta,
                C + a0, N);
  });
}

}  // namespace tl
