// Batch assembly: gathers rows of a uint8 dataset by index and converts them to normalized floats.
#include "tl.h"

namespace tl {

// gatherU8(src:Uint8Array, indices:Int32Array, rowLen, n, scale, shift, out): out[i,:] = src[idx[i],:] * scale + shift
static Napi::Value GatherU8(const Napi::CallbackInfo& info) {
  Args a(info, "gatherU8");
  size_t srcLen;
  uint8_t* src = a.u8(0, &srcLen, "src");
  size_t rowLen = a.integer(2, "rowLen", 1), n = a.integer(3, "n");
  int32_t* idx = a.i32(1, n, "indices");
  float scale = a.number(4, "scale"), shift = a.number(5, "shift");
  float* out = a.f32(6, n * rowLen, "out");
  size_t rows = srcLen / rowLen;
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= rows) a.fail("row index out of range");
    const uint8_t* s = src + static_cast<size_t>(idx[i]) * rowLen;
    float* o = out + i * rowLen;
    for (size_t j = 0; j < rowLen; ++j) o[j] = s[j] * scale + shift;
  }
  return info.Env().Undefined();
}

void registerData(Napi::Env env, Napi::Object exports) {
  exports.Set("gatherU8", Napi::Function::New(env, GatherU8));
}

}  // namespace tl
