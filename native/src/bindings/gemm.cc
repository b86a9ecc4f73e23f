// Bindings of GEMM and the linear layer (row-major, see kernels/gemm.h and kernels/linear.h).
#include "kernels/gemm.h"

#include "bindings/binder.h"
#include "bindings/exports.h"
#include "kernels/linear.h"

namespace tl::binding {
namespace {

const Binding kGemm[] = {
    // gemm(transA, transB, M, N, K, alpha, A, B, beta, C)
    {"gemm",
     [](const Call& c) {
       const bool tA = c.boolean(0, "transA"), tB = c.boolean(1, "transB");
       const int M = c.integer(2, "M"), N = c.integer(3, "N"), K = c.integer(4, "K");
       return c.run(gemm, tA, tB, M, N, K, Num(5, "alpha"), F32(6, "A", elems(M, K)), F32(7, "B", elems(K, N)),
                    Num(8, "beta"), F32(9, "C", elems(M, N)));
     }},
    // gemmBatched(transA, transB, batch, M, N, K, alpha, A[batch,M,K], B[batch,K,N], beta, C[batch,M,N])
    {"gemmBatched",
     [](const Call& c) {
       const bool tA = c.boolean(0, "transA"), tB = c.boolean(1, "transB");
       const int batch = c.integer(2, "batch"), M = c.integer(3, "M"), N = c.integer(4, "N"), K = c.integer(5, "K");
       return c.run(gemmBatched, tA, tB, batch, M, N, K, Num(6, "alpha"), F32(7, "A", elems(batch, M, K)),
                    F32(8, "B", elems(batch, K, N)), Num(9, "beta"), F32(10, "C", elems(batch, M, N)));
     }},
    // linearForward(x[N,In], w[Out,In], b[Out]|null, y[N,Out], N, In, Out): y = x w^T + b
    {"linearForward",
     [](const Call& c) {
       const int N = c.integer(4, "N"), In = c.integer(5, "In"), Out = c.integer(6, "Out");
       return c.run(linearForward, F32(0, "x", elems(N, In)), F32(1, "weight", elems(Out, In)),
                    F32OrNull(2, "bias", Out), F32(3, "y", elems(N, Out)), N, In, Out);
     }},
    // linearBackward(dy, x, w, dx|null, dw|null, db|null, N, In, Out, accumulate)
    {"linearBackward",
     [](const Call& c) {
       const int N = c.integer(6, "N"), In = c.integer(7, "In"), Out = c.integer(8, "Out");
       const bool accumulate = c.boolean(9, "accumulate");
       return c.run(linearBackward, F32(0, "dy", elems(N, Out)), F32(1, "x", elems(N, In)),
                    F32(2, "weight", elems(Out, In)), F32OrNull(3, "dx", elems(N, In)),
                    F32OrNull(4, "dw", elems(Out, In)), F32OrNull(5, "db", Out), N, In, Out, accumulate);
     }},
};

}  // namespace

void exportGemm(napi_env env, napi_value exports) { exportBindings(env, exports, kGemm); }

}  // namespace tl::binding
