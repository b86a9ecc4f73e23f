// Bindings of depthwise 2-D convolution (kernels/depthwise.h): NCHW input, weight [C, 1, K, K].
#include "kernels/depthwise.h"

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

// N, C, H, W, kernel, stride, pad from arguments first..first+6, and the output size they give.
DepthwiseDims depthwiseDims(const Call& c, size_t first) {
  DepthwiseDims d;
  d.N = c.integer(first, "N");
  d.C = c.integer(first + 1, "C", 1);
  d.H = c.integer(first + 2, "H", 1);
  d.W = c.integer(first + 3, "W", 1);
  d.K = c.integer(first + 4, "kernel", 1);
  d.stride = c.integer(first + 5, "stride", 1);
  d.pad = c.integer(first + 6, "pad", 0);
  if (d.H + 2 * d.pad < d.K || d.W + 2 * d.pad < d.K) c.fail("kernel larger than padded input");
  d.OH = (d.H + 2 * d.pad - d.K) / d.stride + 1;
  d.OW = (d.W + 2 * d.pad - d.K) / d.stride + 1;
  return d;
}

const Binding kDepthwise[] = {
    // depthwiseConv2dForward(x, w, b|null, y, N, C, H, W, kernel, stride, pad)
    {"depthwiseConv2dForward",
     [](const Call& c) {
       const DepthwiseDims d = depthwiseDims(c, 4);
       return c.run(depthwiseForward, d, F32(0, "x", d.planes() * d.inPlane()), F32(1, "weight", d.C * d.filter()),
                    F32OrNull(2, "bias", d.C), F32(3, "y", d.planes() * d.outPlane()));
     }},
    // depthwiseConv2dBackwardData(dy, w, dx, N, C, H, W, kernel, stride, pad): dx overwritten
    {"depthwiseConv2dBackwardData",
     [](const Call& c) {
       const DepthwiseDims d = depthwiseDims(c, 3);
       return c.run(depthwiseBackwardData, d, F32(0, "dy", d.planes() * d.outPlane()),
                    F32(1, "weight", d.C * d.filter()), F32(2, "dx", d.planes() * d.inPlane()));
     }},
    // depthwiseConv2dBackwardFilter(dy, x, dw, db|null, N, C, H, W, kernel, stride, pad, accumulate)
    {"depthwiseConv2dBackwardFilter",
     [](const Call& c) {
       const DepthwiseDims d = depthwiseDims(c, 4);
       const bool accumulate = c.boolean(11, "accumulate");
       return c.run(depthwiseBackwardFilter, d, F32(0, "dy", d.planes() * d.outPlane()),
                    F32(1, "x", d.planes() * d.inPlane()), F32(2, "dw", d.C * d.filter()), F32OrNull(3, "db", d.C),
                    accumulate);
     }},
};

}  // namespace

void exportDepthwise(napi_env env, napi_value exports) { exportBindings(env, exports, kDepthwise); }

}  // namespace tl::binding
