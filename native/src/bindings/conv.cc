// Bindings of 2-D convolution (kernels/conv.h): NCHW input, OIHW weight.
#include "kernels/conv.h"

#include <napi.h>

#include <string>

#include "bindings/binder.h"
#include "bindings/exports.h"

namespace tl::binding {
namespace {

// N, C, H, W, O, KH, KW, stride, pad from arguments first..first+8, and the output size they give.
ConvDims convDims(const Call& c, size_t first) {
  ConvDims d;
  d.N = c.integer(first, "N");
  d.C = c.integer(first + 1, "C", 1);
  d.H = c.integer(first + 2, "H", 1);
  d.W = c.integer(first + 3, "W", 1);
  d.O = c.integer(first + 4, "O", 1);
  d.KH = c.integer(first + 5, "KH", 1);
  d.KW = c.integer(first + 6, "KW", 1);
  d.stride = c.integer(first + 7, "stride", 1);
  d.pad = c.integer(first + 8, "pad", 0);
  if (d.H + 2 * d.pad < d.KH || d.W + 2 * d.pad < d.KW) c.fail("kernel larger than padded input");
  d.OH = (d.H + 2 * d.pad - d.KH) / d.stride + 1;
  d.OW = (d.W + 2 * d.pad - d.KW) / d.stride + 1;
  return d;
}

const Binding kConv[] = {
    // conv2dSetAlgorithm('auto' | 'im2col') -> the previous setting
    {"conv2dSetAlgorithm",
     [](const Call& c) -> napi_value {
       std::string name;
       if (!c.string(0, &name)) c.fail("algorithm must be 'auto' or 'im2col'");
       const char* previous = conv2dAlgorithm() == ConvAlgorithm::Auto ? "auto" : "im2col";
       if (name == "auto")
         conv2dSetAlgorithm(ConvAlgorithm::Auto);
       else if (name == "im2col")
         conv2dSetAlgorithm(ConvAlgorithm::Im2col);
       else
         c.fail("algorithm must be 'auto' or 'im2col', got '" + name + "'");
       return Napi::String::New(c.env(), previous);
     }},
    // conv2dUsesDirect(N, C, H, W, O, KH, KW, stride, pad) -> { forward, backwardData, backwardFilter }: which
    // passes of this shape run on the direct kernels now
    {"conv2dUsesDirect",
     [](const Call& c) -> napi_value {
       const ConvPasses p = conv2dUsesDirect(convDims(c, 0));
       Napi::Object o = Napi::Object::New(c.env());
       o.Set("forward", p.forward);
       o.Set("backwardData", p.backwardData);
       o.Set("backwardFilter", p.backwardFilter);
       return o;
     }},
    // conv2dForward(x, w, b|null, y, N, C, H, W, O, KH, KW, stride, pad)
    {"conv2dForward",
     [](const Call& c) {
       const ConvDims d = convDims(c, 4);
       return c.run(conv2dForward, d, F32(0, "x", d.N * d.inPlane()), F32(1, "weight", d.O * d.colRows()),
                    F32OrNull(2, "bias", d.O), F32(3, "y", d.N * d.outPlane()));
     }},
    // conv2dBackwardData(dy, w, dx, N, C, H, W, O, KH, KW, stride, pad): dx overwritten
    {"conv2dBackwardData",
     [](const Call& c) {
       const ConvDims d = convDims(c, 3);
       return c.run(conv2dBackwardData, d, F32(0, "dy", d.N * d.outPlane()), F32(1, "weight", d.O * d.colRows()),
                    F32(2, "dx", d.N * d.inPlane()));
     }},
    // conv2dBackwardFilter(dy, x, dw, db|null, N, C, H, W, O, KH, KW, stride, pad, accumulate)
    {"conv2dBackwardFilter",
     [](const Call& c) {
       const ConvDims d = convDims(c, 4);
       const bool accumulate = c.boolean(13, "accumulate");
       return c.run(conv2dBackwardFilter, d, F32(0, "dy", d.N * d.outPlane()), F32(1, "x", d.N * d.inPlane()),
                    F32(2, "dw", d.O * d.colRows()), F32OrNull(3, "db", d.O), accumulate);
     }},
};

}  // namespace

void exportConv(napi_env env, napi_value exports) { exportBindings(env, exports, kConv); }

}  // namespace tl::binding
