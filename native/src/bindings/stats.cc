// Bindings of the statistics kernels (kernels/ks.h).
#include "bindings/binder.h"
#include "bindings/exports.h"
#include "kernels/ks.h"

namespace tl::binding {
namespace {

const Binding kStats[] = {
    // ksRowCounts(a:Uint8Array, b:Uint8Array, rows, dim, dtype 0 f32 | 1 f16 | 2 bf16, counts:Int32Array[rows])
    // -> -1, or 2*row + side of the first non-finite value
    {"ksRowCounts",
     [](const Call& c) {
       const size_t rows = c.integer(2, "rows"), dim = c.integer(3, "dim", 1);
       const int64_t dtype = c.integer(4, "dtype");
       if (dtype > 2) c.fail("dtype must be 0 (f32), 1 (f16) or 2 (bf16)");
       const size_t bytes = rows * dim * (dtype == 0 ? 4 : 2);
       const View<uint8_t> a = c.u8(0, "a"), b = c.u8(1, "b");
       if (a.size < bytes || b.size < bytes) c.fail("a and b need rows * dim values each");
       return c.run(ksRowCounts, a.data, b.data, rows, dim, static_cast<RowDtype>(dtype), I32(5, "counts", rows));
     }},
};

}  // namespace

void exportStats(napi_env env, napi_value exports) { exportBindings(env, exports, kStats); }

}  // namespace tl::binding
