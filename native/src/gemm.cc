// GEMM: OpenBLAS's cblas_sgemm when the build found it, a cache-blocked portable loop otherwise
// (and on request, so tests can compare the two). Also the linear layer's forward and backward.
#include "tl.h"
#include "parallel.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>
#ifdef TL_HAVE_OPENBLAS
#include <cblas.h>
extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}
#endif

namespace tl {

#ifdef TL_HAVE_OPENBLAS
static bool g_useBlas = true;
#else
static bool g_useBlas = false;
#endif
static int g_threads = 1;

bool gemmCompiledWithBlas() {
#ifdef TL_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}
bool gemmUsesBlas() { return g_useBlas; }
void gemmSetBackend(bool useBlas) { g_useBlas = useBlas && gemmCompiledWithBlas(); }
void setThreads(int n) {
  g_threads = std::max(1, n);
#ifdef TL_HAVE_OPENBLAS
  openblas_set_num_threads(1);  // threads come from the kernel pool (see gemm below)
#endif
}
int getThreads() { return g_threads; }
std::string blasConfig() {
#ifdef TL_HAVE_OPENBLAS
  return std::string(openblas_get_config());
#else
  return std::string("portable fallback (built without OpenBLAS)");
#endif
}

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
    if (beta == 0.0f) std::fill(c, c + N, 0.0f);
    else if (beta != 1.0f) for (int j = 0; j < N; ++j) c[j] *= beta;
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

static void gemmBlock(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                      float beta, float* C, int ldc) {
#ifdef TL_HAVE_OPENBLAS
  if (g_useBlas) {
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
                ldb, beta, C, ldc);
    return;
  }
#endif
  fallbackGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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
  const int T = macs < 1e6 ? 1 : std::max(1, std::min({g_threads, span / 16, static_cast<int>(macs / 5e5)}));
  if (T == 1) {
    gemmBlock(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
    return;
  }
  parallelRun(T, [&](int t) {
    const int a0 = static_cast<int>(rangeStart(span, t, T)), a1 = static_cast<int>(rangeStart(span, t + 1, T));
    if (a1 <= a0) return;
    if (byRows)
      gemmBlock(tA, tB, a1 - a0, N, K, alpha, tA ? A + a0 : A + static_cast<size_t>(a0) * lda, lda, B, ldb, beta,
                C + static_cast<size_t>(a0) * N, N);
    else
      gemmBlock(tA, tB, M, a1 - a0, K, alpha, A, lda, tB ? B + static_cast<size_t>(a0) * ldb : B + a0, ldb, beta, C + a0, N);
  });
}

// gemm(transA, transB, M, N, K, alpha, A, B, beta, C)
static Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info, "gemm");
  bool tA = a.boolean(0, "transA"), tB = a.boolean(1, "transB");
  int M = a.integer(2, "M"), N = a.integer(3, "N"), K = a.integer(4, "K");
  float alpha = a.number(5, "alpha");
  float* A = a.f32(6, static_cast<size_t>(M) * K, "A");
  float* B = a.f32(7, static_cast<size_t>(K) * N, "B");
  float beta = a.number(8, "beta");
  float* C = a.f32(9, static_cast<size_t>(M) * N, "C");
  gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
  return info.Env().Undefined();
}

// linearForward(x[N,In], w[Out,In], b[Out]|null, y[N,Out], N, In, Out): y = x w^T + b
static Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  Args a(info, "linearForward");
  int N = a.integer(4, "N"), In = a.integer(5, "In"), Out = a.integer(6, "Out");
  float* x = a.f32(0, static_cast<size_t>(N) * In, "x");
  float* w = a.f32(1, static_cast<size_t>(Out) * In, "weight");
  float* b = a.f32(2, Out, "bias", true);
  float* y = a.f32(3, static_cast<size_t>(N) * Out, "y");
  if (b) {
    for (int i = 0; i < N; ++i) std::memcpy(y + static_cast<size_t>(i) * Out, b, sizeof(float) * Out);
    gemm(false, true, N, Out, In, 1.0f, x, w, 1.0f, y);
  } else {
    gemm(false, true, N, Out, In, 1.0f, x, w, 0.0f, y);
  }
  return info.Env().Undefined();
}

// linearBackward(dy, x, w, dx|null, dw|null, db|null, N, In, Out, accumulate)
// dx = dy w (overwritten); dw (+)= dy^T x; db (+)= column sums of dy. `accumulate` applies to dw and db.
static Napi::Value LinearBackward(const Napi::CallbackInfo& info) {
  Args a(info, "linearBackward");
  int N = a.integer(6, "N"), In = a.integer(7, "In"), Out = a.integer(8, "Out");
  bool acc = a.boolean(9, "accumulate");
  float* dy = a.f32(0, static_cast<size_t>(N) * Out, "dy");
  float* x = a.f32(1, static_cast<size_t>(N) * In, "x");
  float* w = a.f32(2, static_cast<size_t>(Out) * In, "weight");
  float* dx = a.f32(3, static_cast<size_t>(N) * In, "dx", true);
  float* dw = a.f32(4, static_cast<size_t>(Out) * In, "dw", true);
  float* db = a.f32(5, Out, "db", true);
  if (dx) gemm(false, false, N, In, Out, 1.0f, dy, w, 0.0f, dx);
  if (dw) gemm(true, false, Out, In, N, 1.0f, dy, x, acc ? 1.0f : 0.0f, dw);
  if (db) {
    if (!acc) std::fill(db, db + Out, 0.0f);
    for (int i = 0; i < N; ++i) {
      const float* r = dy + static_cast<size_t>(i) * Out;
      for (int j = 0; j < Out; ++j) db[j] += r[j];
    }
  }
  return info.Env().Undefined();
}

void registerGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("linearForward", Napi::Function::New(env, LinearForward));
  exports.Set("linearBackward", Napi::Function::New(env, LinearBackward));
}

}  // namespace tl
