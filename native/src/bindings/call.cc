// The out-of-line parts of Call (call.h): the rarely taken paths and their messages.
#include "bindings/call.h"

#include "kernels/error.h"

namespace tl::binding {

void Call::fail(const std::string& msg) const { throw InputError(msg); }

bool Call::isNull(size_t i) const {
  napi_valuetype t;
  return i >= argc_ || napi_typeof(env_, argv_[i], &t) != napi_ok || t == napi_null || t == napi_undefined;
}

bool Call::string(size_t i, std::string* out) const {
  napi_valuetype t;
  size_t length;
  if (i >= argc_ || napi_typeof(env_, argv_[i], &t) != napi_ok || t != napi_string ||
      napi_get_value_string_utf8(env_, argv_[i], nullptr, 0, &length) != napi_ok)
    return false;
  out->assign(length, '\0');
  return napi_get_value_string_utf8(env_, argv_[i], out->data(), length + 1, &length) == napi_ok;
}

napi_value Call::toJs(double value) const {
  napi_value v = nullptr;
  napi_create_double(env_, value, &v);
  return v;
}

void Call::failType(const char* name, const char* what) const { fail(std::string(name) + " must be " + what); }

void Call::failF32(size_t i, const char* name) const {
  if (isNull(i)) fail(std::string(name) + " is required");
  failType(name, "a Float32Array");
}

void Call::failLength(const char* name, size_t has, size_t need) const {
  fail(std::string(name) + " has " + std::to_string(has) + " elements, needs " + std::to_string(need));
}

void Call::failNotInteger(const char* name) const { fail(std::string(name) + " must be an integer"); }

void Call::failBelow(const char* name, int64_t min) const {
  fail(std::string(name) + " must be >= " + std::to_string(min));
}

}  // namespace tl::binding
