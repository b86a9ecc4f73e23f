// GEMM: C[M,N] = alpha * op(A) * op(B) + beta * C, row-major, no padding between rows. OpenBLAS's cblas_sgemm
// when the build found it and the backend says so (backend.h), a cache-blocked portable loop otherwise.
#pragma once

namespace tl {

void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta,
          float* C);

// The same on one thread with explicit leading dimensions (elements between rows of A, B and C as stored), so a
// head's slice of a [batch, seq, heads * headDim] activation is a matrix without copying it out.
void gemmStrided(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc);

// `batch` independent products of packed matrices: C[i] = alpha op(A[i]) op(B[i]) + beta C[i], with A[i] at
// A + i*M*K, B[i] at B + i*K*N and C[i] at C + i*M*N. Batches run on the kernel pool when threads are allowed.
void gemmBatched(bool transA, bool transB, int batch, int M, int N, int K, float alpha, const float* A, const float* B,
                 float beta, float* C);

}  // namespace tl
