// Bindings of sparse 2-D convolution (kernels/sparse_conv.h). Both calls start with rowPtr, colIdx, N, C, H, W,
// O, K, pad, then the arrays.
#include "kernels/sparse_conv.h"

#include "bindings/binder.h"
#include "bindings/csr.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

struct SparseConvArgs {
  SparseConvDims d;
  Csr w;
};

// The shape from arguments 2..8 and the weight's structure from arguments 0 and 1, validated.
SparseConvArgs sparseConvArgs(const Call& c) {
  SparseConvDims d;
  d.N = c.integer(2, "N", 1);
  d.C = c.integer(3, "C", 1);
  d.H = c.integer(4, "H", 1);
  d.W = c.integer(5, "W", 1);
  d.O = c.integer(6, "O", 1);
  d.K = c.integer(7, "K", 1);
  d.pad = c.integer(8, "pad", 0);
  const Csr w = csrArgs(c, 0, d.O, d.C * d.K * d.K);
  d.HP = d.H + 2 * d.pad;
  d.WP = d.W + 2 * d.pad;
  if (d.HP < d.K || d.WP < d.K) c.fail("kernel larger than padded input");
  d.OH = d.HP - d.K + 1;
  d.OW = d.WP - d.K + 1;
  validateCsr(w);
  return SparseConvArgs{d, w};
}

const Binding kSparseConv[] = {
    // sparseConv2dForward(rowPtr, colIdx, N, C, H, W, O, K, pad, values, bias|null, x[N,C,H,W], y[N,O,OH,OW])
    {"sparseConv2dForward",
     [](const Call& c) {
       const auto [d, w] = sparseConvArgs(c);
       return c.run(sparseConv2dForward, d, w, F32(9, "values", w.nnz), F32OrNull(10, "bias", d.O),
                    F32(11, "x", elems(d.N, d.C, d.H, d.W)), F32(12, "y", elems(d.N, d.O, d.OH, d.OW)));
     }},
    // sparseConv2dBackward(rowPtr, colIdx, N, C, H, W, O, K, pad, values, x, dy, dx|null, dValues|null,
    // dBias|null, accumulate): dx is overwritten; dValues and dBias are overwritten or, with accumulate, added to
    {"sparseConv2dBackward",
     [](const Call& c) {
       const auto [d, w] = sparseConvArgs(c);
       return c.run(sparseConv2dBackward, d, w, F32(9, "values", w.nnz), F32(10, "x", elems(d.N, d.C, d.H, d.W)),
                    F32(11, "dy", elems(d.N, d.O, d.OH, d.OW)), F32OrNull(12, "dx", elems(d.N, d.C, d.H, d.W)),
                    F32OrNull(13, "dValues", w.nnz), F32OrNull(14, "dBias", d.O), Bool(15, "accumulate"));
     }},
};

}  // namespace

void exportSparseConv(napi_env env, napi_value exports) { exportBindings(env, exports, kSparseConv); }

}  // namespace tl::binding
