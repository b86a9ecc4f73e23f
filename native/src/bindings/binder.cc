// The one Node-API callback behind every exported function (binder.h).
#include "bindings/binder.h"

#include <napi.h>

#include <algorithm>
#include <exception>
#include <string>

#include "kernels/denormals.h"
#include "kernels/error.h"

namespace tl::binding {
namespace {

void throwError(napi_env env, bool range, const char* fn, const char* msg) {
  const std::string text = std::string(fn) + ": " + msg;
  if (range)
    napi_throw_range_error(env, nullptr, text.c_str());
  else
    napi_throw_error(env, nullptr, text.c_str());
}

napi_value dispatch(napi_env env, napi_callback_info info) {
  FlushDenormals flush;  // for the whole native call, argument reading and result included
  napi_value argv[Call::kMaxArgs];
  size_t argc = Call::kMaxArgs;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok) return nullptr;
  const Binding& binding = *static_cast<const Binding*>(data);
  try {
    return binding.body(Call(env, argv, std::min(argc, Call::kMaxArgs)));
  } catch (const InputError& e) {
    throwError(env, true, binding.name, e.what());
  } catch (const Napi::Error& e) {  // from the few bodies that build objects with node-addon-api
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: an Error rather than a C++ exception through V8
    throwError(env, false, binding.name, e.what());
  }
  return nullptr;
}

}  // namespace

void exportBindings(napi_env env, napi_value exports, const Binding* bindings, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    // Nameless, as node-addon-api's Function::New(env, callback) made them. The table is static, so the data
    // pointer stays valid in every context (worker thread) that loads the addon.
    napi_value fn;
    if (napi_create_function(env, nullptr, 0, dispatch, const_cast<Binding*>(&bindings[i]), &fn) != napi_ok ||
        napi_set_named_property(env, exports, bindings[i].name, fn) != napi_ok)
      throw Napi::Error::New(env);
  }
}

}  // namespace tl::binding
