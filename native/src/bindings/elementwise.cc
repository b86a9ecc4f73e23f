// Bindings of the elementwise kernels and embedding lookup (kernels/elementwise.h, kernels/embedding.h).
#include "kernels/elementwise.h"

#include <cstdint>

#include "bindings/binder.h"
#include "bindings/exports.h"
#include "kernels/embedding.h"

namespace tl::binding {
namespace {

const Binding kElementwise[] = {
    // reluForward(x, y, n)
    {"reluForward",
     [](const Call& c) {
       const size_t n = c.integer(2, "n");
       return c.run(reluForward, F32(0, "x", n), F32(1, "y", n), n);
     }},
    // reluBackward(dy, y, dx, n): dx = dy where y > 0
    {"reluBackward",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       return c.run(reluBackward, F32(0, "dy", n), F32(1, "y", n), F32(2, "dx", n), n);
     }},
    // add(a, b, out, n): out = a + b
    {"add",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       return c.run(add, F32(0, "a", n), F32(1, "b", n), F32(2, "out", n), n);
     }},
    // axpy(alpha, x, y, n): y += alpha * x
    {"axpy",
     [](const Call& c) {
       const double alpha = c.number(0, "alpha");
       const size_t n = c.integer(3, "n");
       return c.run(axpy, alpha, F32(1, "x", n), F32(2, "y", n), n);
     }},
    // mul(a, b, out, n): out = a * b
    {"mul",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       return c.run(mul, F32(0, "a", n), F32(1, "b", n), F32(2, "out", n), n);
     }},
    // scale(x, alpha, out, n): out = alpha * x
    {"scale",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       return c.run(scale, F32(0, "x", n), Num(1, "alpha"), F32(2, "out", n), n);
     }},
    // sum(x, n) -> number
    {"sum",
     [](const Call& c) {
       const size_t n = c.integer(1, "n");
       return c.run(sum, F32(0, "x", n), n);
     }},
    // dropoutForward(x, y, mask, n, p, seed)
    {"dropoutForward",
     [](const Call& c) {
       const size_t n = c.integer(3, "n");
       auto [x, y, mask] = c.read(F32(0, "x", n), F32(1, "y", n), F32(2, "mask", n));
       const double p = c.number(4, "p");
       if (!(p >= 0 && p < 1)) c.fail("p must be in [0, 1)");
       return c.run(dropoutForward, x, y, mask, n, p, static_cast<uint64_t>(c.number(5, "seed")));
     }},
    // embeddingForward(table[V,D], idx:Int32Array[n], out[n,D], V, D, n)
    {"embeddingForward",
     [](const Call& c) {
       const size_t V = c.integer(3, "V", 1), D = c.integer(4, "D", 1), n = c.integer(5, "n");
       return c.run(embeddingForward, F32(0, "table", V * D), I32(1, "indices", n), F32(2, "out", n * D), V, D, n);
     }},
    // embeddingBackward(dout[n,D], idx, dtable[V,D], V, D, n, accumulate): scatter-add rows
    {"embeddingBackward",
     [](const Call& c) {
       const size_t V = c.integer(3, "V", 1), D = c.integer(4, "D", 1), n = c.integer(5, "n");
       const bool accumulate = c.boolean(6, "accumulate");
       return c.run(embeddingBackward, F32(0, "dout", n * D), I32(1, "indices", n), F32(2, "dtable", V * D), V, D, n,
                    accumulate);
     }},
    // embeddingClearRows(dtable[V,D], rows:Int32Array[nRows], V, D, nRows): zeroes the listed rows
    {"embeddingClearRows",
     [](const Call& c) {
       const size_t V = c.integer(2, "V", 1), D = c.integer(3, "D", 1), nRows = c.integer(4, "nRows");
       return c.run(embeddingClearRows, F32(0, "dtable", V * D), I32(1, "rows", nRows), V, D, nRows);
     }},
};

}  // namespace

void exportElementwise(napi_env env, napi_value exports) { exportBindings(env, exports, kElementwise); }

}  // namespace tl::binding
