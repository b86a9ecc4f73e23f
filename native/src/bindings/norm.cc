// Bindings of batch normalization over (N, C, HW) (kernels/norm.h).
#include "kernels/norm.h"

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

BnDims bnDims(const Call& c, size_t first) {
  return BnDims{static_cast<int>(c.integer(first, "N", 1)), static_cast<int>(c.integer(first + 1, "C", 1)),
                static_cast<int>(c.integer(first + 2, "HW", 1))};
}

const Binding kNorm[] = {
    // batchNormForward(x, gamma, beta, y, mean, invstd, runMean, runVar, N, C, HW, training, momentum, eps)
    {"batchNormForward",
     [](const Call& c) {
       const BnDims d = bnDims(c, 8);
       const bool training = c.boolean(11, "training");
       const double momentum = c.number(12, "momentum"), eps = c.number(13, "eps");
       return c.run(batchNormForward, d, F32(0, "x", d.total()), F32(1, "gamma", d.C), F32(2, "beta", d.C),
                    F32(3, "y", d.total()), F32(4, "mean", d.C), F32(5, "invstd", d.C), F32(6, "runningMean", d.C),
                    F32(7, "runningVar", d.C), training, momentum, eps);
     }},
    // batchNormBackward(dy, x, gamma, mean, invstd, dx|null, dgamma, dbeta, N, C, HW, training, accumulate)
    {"batchNormBackward",
     [](const Call& c) {
       const BnDims d = bnDims(c, 8);
       const bool training = c.boolean(11, "training"), accumulate = c.boolean(12, "accumulate");
       return c.run(batchNormBackward, d, F32(0, "dy", d.total()), F32(1, "x", d.total()), F32(2, "gamma", d.C),
                    F32(3, "mean", d.C), F32(4, "invstd", d.C), F32OrNull(5, "dx", d.total()), F32(6, "dgamma", d.C),
                    F32(7, "dbeta", d.C), training, accumulate);
     }},
};

}  // namespace

void exportNorm(napi_env env, napi_value exports) { exportBindings(env, exports, kNorm); }

}  // namespace tl::binding
