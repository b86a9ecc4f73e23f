// Bindings of the fused optimizer updates (kernels/optim.h).
#include "kernels/optim.h"

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

// Specs for the hyperparameters, read after the arrays.
struct Sgd {  // lr, momentum, dampening, weightDecay, nesterov, firstStep from argument `at` on
  size_t at;
  explicit Sgd(size_t i) : at(i) {}
  SgdParams operator()(const Call& c) const {
    return SgdParams{c.number(at, "lr"),
                     c.number(at + 1, "momentum"),
                     c.number(at + 2, "dampening"),
                     c.number(at + 3, "weightDecay"),
                     c.boolean(at + 4, "nesterov"),
                     c.boolean(at + 5, "firstStep")};
  }
};
struct Adam {  // lr, beta1, beta2, eps, weightDecay, decoupled, step from argument `at` on
  size_t at;
  explicit Adam(size_t i) : at(i) {}
  AdamParams operator()(const Call& c) const {
    return AdamParams{c.number(at, "lr"),          c.number(at + 1, "beta1"),       c.number(at + 2, "beta2"),
                      c.number(at + 3, "eps"),     c.number(at + 4, "weightDecay"), c.boolean(at + 5, "decoupled"),
                      c.integer(at + 6, "step", 1)};
  }
};

const Binding kOptim[] = {
    // sgdStep(w, g, buf|null, mask|null, n, lr, momentum, dampening, weightDecay, nesterov, firstStep)
    {"sgdStep",
     [](const Call& c) {
       const size_t n = c.integer(4, "n");
       return c.run(sgdStep, F32(0, "weight", n), F32(1, "grad", n), F32OrNull(2, "momentumBuffer", n),
                    F32OrNull(3, "mask", n), n, Sgd(5));
     }},
    // adamStep(w, g, m, v, mask|null, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
    {"adamStep",
     [](const Call& c) {
       const size_t n = c.integer(5, "n");
       return c.run(adamStep, F32(0, "weight", n), F32(1, "grad", n), F32(2, "expAvg", n), F32(3, "expAvgSq", n),
                    F32OrNull(4, "mask", n), n, Adam(6));
     }},
    // sgdStepIndexed(w, g, buf|null, idx, nIdx, lr, momentum, dampening, weightDecay, nesterov, firstStep)
    {"sgdStepIndexed",
     [](const Call& c) {
       const View<float> w = c.f32Any(0, "weight");
       auto [g, buf] = c.read(F32(1, "grad", w.size), F32OrNull(2, "momentumBuffer", w.size));
       const size_t n = c.integer(4, "nIdx");
       return c.run(sgdStepIndexed, w.data, g, buf, w.size, I32(3, "idx", n), n, Sgd(5));
     }},
    // adamStepIndexed(w, g, m, v, idx, nIdx, lr, beta1, beta2, eps, weightDecay, decoupled, step)
    {"adamStepIndexed",
     [](const Call& c) {
       const View<float> w = c.f32Any(0, "weight");
       auto [g, m, v] = c.read(F32(1, "grad", w.size), F32(2, "expAvg", w.size), F32(3, "expAvgSq", w.size));
       const size_t n = c.integer(5, "nIdx");
       return c.run(adamStepIndexed, w.data, g, m, v, w.size, I32(4, "idx", n), n, Adam(6));
     }},
};

}  // namespace

void exportOptim(napi_env env, napi_value exports) { exportBindings(env, exports, kOptim); }

}  // namespace tl::binding
