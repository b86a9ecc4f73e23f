// Bindings of the losses (kernels/loss.h): logits [N,C], labels as an Int32Array of class indices.
#include "kernels/loss.h"

#include <cstdint>

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

const Binding kLoss[] = {
    // softmaxCrossEntropyForward(logits[N,C], labels:Int32Array[N], probs[N,C], N, C) -> mean loss
    {"softmaxCrossEntropyForward",
     [](const Call& c) {
       const size_t N = c.integer(3, "N", 1), C = c.integer(4, "C", 1);
       return c.run(softmaxCrossEntropyForward, F32(0, "logits", N * C), I32(1, "labels", N), F32(2, "probs", N * C), N,
                    C);
     }},
    // softmaxCrossEntropyBackward(probs, labels, dlogits, N, C, gradOut): dlogits = (p - onehot) * gradOut / N
    {"softmaxCrossEntropyBackward",
     [](const Call& c) {
       const size_t N = c.integer(3, "N", 1), C = c.integer(4, "C", 1);
       const double gradOut = c.number(5, "gradOut");
       return c.run(softmaxCrossEntropyBackward, F32(0, "probs", N * C), I32(1, "labels", N), F32(2, "dlogits", N * C),
                    N, C, gradOut);
     }},
    // crossEntropyForward(logits[N,C], targets[N], lse:Float64Array[N], N, C, ignoreIndex, float64) -> summed loss
    {"crossEntropyForward",
     [](const Call& c) {
       const size_t N = c.integer(3, "N"), C = c.integer(4, "C", 1);
       const int64_t ignore = c.integer(5, "ignoreIndex", INT32_MIN);
       return c.run(crossEntropyForward, F32(0, "logits", N * C), I32(1, "targets", N), F64(2, "lse", N), N, C, ignore,
                    Bool(6, "float64"));
     }},
    // crossEntropyBackward(logits, targets, lse, dlogits, N, C, ignoreIndex, scale, float64)
    {"crossEntropyBackward",
     [](const Call& c) {
       const size_t N = c.integer(4, "N"), C = c.integer(5, "C", 1);
       const int64_t ignore = c.integer(6, "ignoreIndex", INT32_MIN);
       return c.run(crossEntropyBackward, F32(0, "logits", N * C), I32(1, "targets", N), F64(2, "lse", N),
                    F32(3, "dlogits", N * C), N, C, ignore, Num(7, "scale"), Bool(8, "float64"));
     }},
    // countCorrect(logits[N,C], labels, N, C) -> number of rows whose argmax equals the label
    {"countCorrect",
     [](const Call& c) {
       const size_t N = c.integer(2, "N"), C = c.integer(3, "C", 1);
       return c.run(countCorrect, F32(0, "logits", N * C), I32(1, "labels", N), N, C);
     }},
    // mseForward(pred, target, n) -> mean squared error
    {"mseForward",
     [](const Call& c) {
       const size_t n = c.integer(2, "n", 1);
       return c.run(mseForward, F32(0, "pred", n), F32(1, "target", n), n);
     }},
    // mseBackward(pred, target, dpred, n, gradOut): dpred = 2 (pred - target) gradOut / n
    {"mseBackward",
     [](const Call& c) {
       const size_t n = c.integer(3, "n", 1);
       return c.run(mseBackward, F32(0, "pred", n), F32(1, "target", n), F32(2, "dpred", n), n, Num(4, "gradOut"));
     }},
};

}  // namespace

void exportLoss(napi_env env, napi_value exports) { exportBindings(env, exports, kLoss); }

}  // namespace tl::binding
