// Bindings of the sparse linear layers (feature-major activations, kernels/sparse.h) and of gather, scatter and
// transpose (kernels/indexed.h).
#include "kernels/sparse.h"

#include "bindings/binder.h"
#include "bindings/csr.h"
#include "bindings/exports.h"
#include "kernels/indexed.h"

namespace tl::binding {
namespace {

const Binding kSparse[] = {
    // sparseLinearForward(rowPtr, colIdx, values, bias|null, xT[In,N], yT[Out,N], Out, In, N)
    {"sparseLinearForward",
     [](const Call& c) {
       const int Out = c.integer(6, "Out", 1), In = c.integer(7, "In", 1), N = c.integer(8, "N", 1);
       const Csr w = csrArgs(c, 0, Out, In);
       validateCsr(w);
       return c.run(sparseLinearForward, w, F32(2, "values", w.nnz), F32OrNull(3, "bias", Out),
                    F32(4, "xT", elems(In, N)), F32(5, "yT", elems(Out, N)), N);
     }},
    // sparseLinearBackward(rowPtr, colIdx, values, xT, dyT, dxT|null, dValues|null, dBias|null, Out, In, N,
    // accumulate): dxT is overwritten; dValues and dBias are overwritten or, with accumulate, added to
    {"sparseLinearBackward",
     [](const Call& c) {
       const int Out = c.integer(8, "Out", 1), In = c.integer(9, "In", 1), N = c.integer(10, "N", 1);
       const bool accumulate = c.boolean(11, "accumulate");
       const Csr w = csrArgs(c, 0, Out, In);
       validateCsr(w);
       return c.run(sparseLinearBackward, w, F32(2, "values", w.nnz), F32(3, "xT", elems(In, N)),
                    F32(4, "dyT", elems(Out, N)), F32OrNull(5, "dxT", elems(In, N)), F32OrNull(6, "dValues", w.nnz),
                    F32OrNull(7, "dBias", Out), N, accumulate);
     }},
    // gatherIndexed(src, idx, dst, n): dst[k] = src[idx[k]]
    {"gatherIndexed",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       const View<float> src = c.f32Any(0, "src");
       return c.run(gatherIndexed, src.data, src.size, I32(1, "idx", n), F32(2, "dst", n), n);
     }},
    // scatterIndexed(src, idx, dst, n, accumulate): dst[idx[k]] (+)= src[k]
    {"scatterIndexed",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       const bool accumulate = c.boolean(4, "accumulate");
       auto [src, idx] = c.read(F32(0, "src", n), I32(1, "idx", n));
       const View<float> dst = c.f32Any(2, "dst");
       return c.run(scatterIndexed, src, idx, dst.data, dst.size, n, accumulate);
     }},
    // transpose(src[rows, cols], dst[cols, rows], rows, cols)
    {"transpose",
     [](const Call& c) {
       const int rows = c.integer(2, "rows"), cols = c.integer(3, "cols");
       return c.run(transpose, F32(0, "src", elems(rows, cols)), F32(1, "dst", elems(rows, cols)), rows, cols);
     }},
};

}  // namespace

void exportSparse(napi_env env, napi_value exports) { exportBindings(env, exports, kSparse); }

}  // namespace tl::binding
