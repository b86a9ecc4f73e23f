// Bindings of the transformer kernels: layer norm, GELU, softmax and log-softmax over the last axis, fused
// multi-head attention (kernels/layernorm.h, gelu.h, softmax.h, attention.h).
#include "bindings/binder.h"
#include "bindings/exports.h"
#include "kernels/attention.h"
#include "kernels/gelu.h"
#include "kernels/layernorm.h"
#include "kernels/softmax.h"

namespace tl::binding {
namespace {

AttnDims attnDims(const Call& c, size_t first) {
  AttnDims d{static_cast<int>(c.integer(first, "B")), static_cast<int>(c.integer(first + 1, "Sq")),
             static_cast<int>(c.integer(first + 2, "Sk", 1)), static_cast<int>(c.integer(first + 3, "H", 1)),
             static_cast<int>(c.integer(first + 4, "headDim", 1))};
  return d;
}

const Binding kTransformer[] = {
    // layerNormForward(x[rows,D], gamma|null, beta|null, y, mean[rows], rstd[rows], rows, D, eps)
    {"layerNormForward",
     [](const Call& c) {
       const size_t rows = c.integer(6, "rows"), D = c.integer(7, "D", 1);
       return c.run(layerNormForward, F32(0, "x", rows * D), F32OrNull(1, "gamma", D), F32OrNull(2, "beta", D),
                    F32(3, "y", rows * D), F32(4, "mean", rows), F32(5, "rstd", rows), rows, D, Num(8, "eps"));
     }},
    // layerNormBackward(dy, x, gamma|null, mean, rstd, dx|null, dgamma|null, dbeta|null, rows, D, accGamma, accBeta)
    {"layerNormBackward",
     [](const Call& c) {
       const size_t rows = c.integer(8, "rows"), D = c.integer(9, "D", 1);
       return c.run(layerNormBackward, F32(0, "dy", rows * D), F32(1, "x", rows * D), F32OrNull(2, "gamma", D),
                    F32(3, "mean", rows), F32(4, "rstd", rows), F32OrNull(5, "dx", rows * D), F32OrNull(6, "dgamma", D),
                    F32OrNull(7, "dbeta", D), rows, D, Bool(10, "accGamma"), Bool(11, "accBeta"));
     }},
    // geluForward(x, y, n, tanh)
    {"geluForward",
     [](const Call& c) {
       const size_t n = c.integer(2, "n");
       return c.run(geluForward, F32(0, "x", n), F32(1, "y", n), n, Bool(3, "tanh"));
     }},
    // geluBackward(dy, x, dx, n, tanh)
    {"geluBackward",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       return c.run(geluBackward, F32(0, "dy", n), F32(1, "x", n), F32(2, "dx", n), n, Bool(4, "tanh"));
     }},
    // softmaxForward(x[rows,D], y, rows, D)
    {"softmaxForward",
     [](const Call& c) {
       const size_t rows = c.integer(2, "rows"), D = c.integer(3, "D", 1);
       return c.run(softmaxForward, F32(0, "x", rows * D), F32(1, "y", rows * D), rows, D);
     }},
    // softmaxBackward(dy, y, dx, rows, D)
    {"softmaxBackward",
     [](const Call& c) {
       const size_t rows = c.integer(3, "rows"), D = c.integer(4, "D", 1);
       return c.run(softmaxBackward, F32(0, "dy", rows * D), F32(1, "y", rows * D), F32(2, "dx", rows * D), rows, D);
     }},
    // logSoftmaxForward(x[rows,D], y, rows, D, float64)
    {"logSoftmaxForward",
     [](const Call& c) {
       const size_t rows = c.integer(2, "rows"), D = c.integer(3, "D", 1);
       return c.run(logSoftmaxForward, F32(0, "x", rows * D), F32(1, "y", rows * D), rows, D, Bool(4, "float64"));
     }},
    // logSoftmaxBackward(dy, y, dx, rows, D, float64)
    {"logSoftmaxBackward",
     [](const Call& c) {
       const size_t rows = c.integer(3, "rows"), D = c.integer(4, "D", 1);
       return c.run(logSoftmaxBackward, F32(0, "dy", rows * D), F32(1, "y", rows * D), F32(2, "dx", rows * D), rows, D,
                    Bool(5, "float64"));
     }},
    // attentionForward(q[B,Sq,D], k[B,Sk,D], v[B,Sk,D], keyMask[B,Sk]|null, out[B,Sq,D], probs[B,H,Sq,Sk],
    //                  B, Sq, Sk, H, headDim, causal, scale)
    {"attentionForward",
     [](const Call& c) {
       const AttnDims d = attnDims(c, 6);
       const size_t nq = elems(d.B, d.Sq, d.D()), nk = elems(d.B, d.Sk, d.D());
       return c.run(attentionForward, d, F32(0, "q", nq), F32(1, "k", nk), F32(2, "v", nk),
                    F32OrNull(3, "keyMask", elems(d.B, d.Sk)), Bool(11, "causal"), Num(12, "scale"), F32(4, "out", nq),
                    F32(5, "probs", d.probs()));
     }},
    // attentionBackward(q, k, v, probs, dout, dq|null, dk|null, dv|null, B, Sq, Sk, H, headDim, scale)
    {"attentionBackward",
     [](const Call& c) {
       const AttnDims d = attnDims(c, 8);
       const size_t nq = elems(d.B, d.Sq, d.D()), nk = elems(d.B, d.Sk, d.D());
       return c.run(attentionBackward, d, F32(0, "q", nq), F32(1, "k", nk), F32(2, "v", nk), F32(3, "probs", d.probs()),
                    F32(4, "dout", nq), F32OrNull(5, "dq", nq), F32OrNull(6, "dk", nk), F32OrNull(7, "dv", nk),
                    Num(13, "scale"));
     }},
};

}  // namespace

void exportTransformer(napi_env env, napi_value exports) { exportBindings(env, exports, kTransformer); }

}  // namespace tl::binding
