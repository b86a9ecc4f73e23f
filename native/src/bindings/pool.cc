// Bindings of max and average pooling over NCHW planes (kernels/pool.h).
#include "kernels/pool.h"

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

// N, C, H, W, kernel, stride, pad from arguments first..first+6, and the output size they give.
PoolDims poolDims(const Call& c, size_t first) {
  PoolDims d;
  d.N = c.integer(first, "N");
  d.C = c.integer(first + 1, "C", 1);
  d.H = c.integer(first + 2, "H", 1);
  d.W = c.integer(first + 3, "W", 1);
  d.K = c.integer(first + 4, "kernel", 1);
  d.stride = c.integer(first + 5, "stride", 1);
  d.pad = c.integer(first + 6, "pad", 0);
  if (d.pad * 2 > d.K) c.fail("padding must be at most half the kernel size");
  if (d.H + 2 * d.pad < d.K || d.W + 2 * d.pad < d.K) c.fail("kernel larger than padded input");
  d.OH = (d.H + 2 * d.pad - d.K) / d.stride + 1;
  d.OW = (d.W + 2 * d.pad - d.K) / d.stride + 1;
  return d;
}

const Binding kPool[] = {
    // maxPool2dForward(x, y, argmax:Int32Array, N, C, H, W, kernel, stride, pad)
    {"maxPool2dForward",
     [](const Call& c) {
       const PoolDims d = poolDims(c, 3);
       const size_t in = d.planes() * d.inPlane(), out = d.planes() * d.outPlane();
       return c.run(maxPool2dForward, d, F32(0, "x", in), F32(1, "y", out), I32(2, "argmax", out));
     }},
    // maxPool2dBackward(dy, argmax, dx, N, C, H, W, kernel, stride, pad): dx overwritten
    {"maxPool2dBackward",
     [](const Call& c) {
       const PoolDims d = poolDims(c, 3);
       const size_t in = d.planes() * d.inPlane(), out = d.planes() * d.outPlane();
       return c.run(maxPool2dBackward, d, F32(0, "dy", out), I32(1, "argmax", out), F32(2, "dx", in));
     }},
    // avgPool2dForward(x, y, N, C, H, W, kernel, stride, pad)
    {"avgPool2dForward",
     [](const Call& c) {
       const PoolDims d = poolDims(c, 2);
       return c.run(avgPool2dForward, d, F32(0, "x", d.planes() * d.inPlane()), F32(1, "y", d.planes() * d.outPlane()));
     }},
    // avgPool2dBackward(dy, dx, N, C, H, W, kernel, stride, pad): dx overwritten
    {"avgPool2dBackward",
     [](const Call& c) {
       const PoolDims d = poolDims(c, 2);
       return c.run(avgPool2dBackward, d, F32(0, "dy", d.planes() * d.outPlane()),
                    F32(1, "dx", d.planes() * d.inPlane()));
     }},
};

}  // namespace

void exportPool(napi_env env, napi_value exports) { exportBindings(env, exports, kPool); }

}  // namespace tl::binding
