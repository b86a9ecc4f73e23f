// GEMM: C[M,N] = alpha * op(A) * op(B) + beta * C, row-major, no padding between rows. OpenBLAS's cblas_sgemm
// when the build found it and the backend says so (backend.h), a cache-blocked portable loop otherwise.
#pragma once

namespace tl {

void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta,
          float* C);

}  // namespace tl
