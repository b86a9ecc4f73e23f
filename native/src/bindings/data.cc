// Bindings of batch assembly and selection (kernels/data.h).
#include "kernels/data.h"

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

const Binding kData[] = {
    // gatherU8(src:Uint8Array, indices:Int32Array, rowLen, n, scale, shift, out, featureMajor): out[i,:] =
    // src[idx[i],:] * scale + shift (out[:,i] with featureMajor)
    {"gatherU8",
     [](const Call& c) {
       const View<uint8_t> src = c.u8(0, "src");
       const size_t rowLen = c.integer(2, "rowLen", 1), n = c.integer(3, "n");
       return c.run(gatherU8, src.data, src.size, I32(1, "indices", n), rowLen, n, Num(4, "scale"), Num(5, "shift"),
                    F32(6, "out", n * rowLen), c.boolean(7, "featureMajor"));
     }},
    // kthSmallest(values, k) -> the k-th smallest value (1-based), partially reordering `values` in place
    {"kthSmallest",
     [](const Call& c) {
       const View<float> values = c.f32Any(0, "values");
       const size_t k = c.integer(1, "k", 1);
       if (k > values.size) c.fail("k larger than the number of values");
       return c.run(kthSmallest, values.data, values.size, k);
     }},
};

}  // namespace

void exportData(napi_env env, napi_value exports) { exportBindings(env, exports, kData); }

}  // namespace tl::binding
