// Exported functions are declared as tables of bindings: a JavaScript name and a body that reads the arguments
// (call.h) and runs a kernel, usually in one or two statements. The binder wraps every body the same way.
#pragma once
#include <node_api.h>

#include <cstddef>

#include "bindings/call.h"

namespace tl::binding {

struct Binding {
  const char* name;
  napi_value (*body)(const Call& call);  // returns the result, or nullptr for undefined
};

// Adds each binding to `exports` as a function that, for the whole call, flushes subnormals (restoring the
// caller's mode afterwards) and turns an InputError into a RangeError "<name>: <message>".
void exportBindings(napi_env env, napi_value exports, const Binding* bindings, size_t count);

template <size_t N>
void exportBindings(napi_env env, napi_value exports, const Binding (&bindings)[N]) {
  exportBindings(env, exports, bindings, N);
}

}  // namespace tl::binding
