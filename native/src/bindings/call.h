// The arguments of one call from JavaScript, read and checked in the order a binding asks for them. Every array
// is checked against the length its dimensions need, so a shape bug in TypeScript becomes a RangeError
// "<function>: <message>" (see binder.cc), never memory corruption.
//
// Reading goes through the plain Node-API C functions, one call per argument on the success path (node-addon-api
// spends three to five per array, and a heap allocation per call past six arguments); the messages of the
// failure paths are built out of line in call.cc.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>

namespace tl::binding {

// A typed array argument of any length.
template <class T>
struct View {
  T* data;
  size_t size;
};

class Call {
 public:
  static constexpr size_t kMaxArgs = 16;  // the most any exported function takes

  Call(napi_env env, const napi_value* argv, size_t argc) : env_(env), argv_(argv), argc_(argc) {}

  napi_env env() const { return env_; }
  // Throws the error the binder reports as a RangeError "<function>: <msg>".
  [[noreturn]] void fail(const std::string& msg) const;
  bool isNull(size_t i) const;  // null, undefined or not passed

  int64_t integer(size_t i, const char* name, int64_t min = 0) const {
    const double d = number(i, name);
    // Range first: converting an infinite or out-of-range double to int64 is undefined behaviour (an infinite
    // stride came out as 0 and crashed the process on a division).
    if (!(d >= -0x1p63 && d < 0x1p63) || d != static_cast<double>(static_cast<int64_t>(d))) failNotInteger(name);
    if (d < static_cast<double>(min)) failBelow(name, min);
    return static_cast<int64_t>(d);
  }
  double number(size_t i, const char* name) const {
    double d;
    if (i >= argc_ || napi_get_value_double(env_, argv_[i], &d) != napi_ok) failType(name, "a number");
    return d;
  }
  bool boolean(size_t i, const char* name) const {
    bool b;
    if (i >= argc_ || napi_get_value_bool(env_, argv_[i], &b) != napi_ok) failType(name, "a boolean");
    return b;
  }
  // The argument as a string, or false when it is not one.
  bool string(size_t i, std::string* out) const;

  // A Float32Array of at least `need` elements.
  float* f32(size_t i, size_t need, const char* name) const {
    const Typed a = typed(i, napi_float32_array);
    if (!a.ok) failF32(i, name);
    return static_cast<float*>(checked(a, need, name));
  }
  // The same, or nullptr when null or undefined.
  float* f32OrNull(size_t i, size_t need, const char* name) const {
    const Typed a = typed(i, napi_float32_array);
    if (!a.ok) {
      if (isNull(i)) return nullptr;
      failF32(i, name);
    }
    return static_cast<float*>(checked(a, need, name));
  }
  View<float> f32Any(size_t i, const char* name) const {
    const Typed a = typed(i, napi_float32_array);
    if (!a.ok) failF32(i, name);
    return {static_cast<float*>(a.data), a.size};
  }
  double* f64(size_t i, size_t need, const char* name) const {
    const Typed a = typed(i, napi_float64_array);
    if (!a.ok) failType(name, "a Float64Array");
    return static_cast<double*>(checked(a, need, name));
  }
  int32_t* i32(size_t i, size_t need, const char* name) const {
    const Typed a = typed(i, napi_int32_array);
    if (!a.ok) failType(name, "an Int32Array");
    return static_cast<int32_t*>(checked(a, need, name));
  }
  View<uint8_t> u8(size_t i, const char* name) const {
    const Typed a = typed(i, napi_uint8_array);
    if (!a.ok) failType(name, "a Uint8Array");
    return {static_cast<uint8_t*>(a.data), a.size};
  }

  // Resolves each argument spec (below) in the order written and returns the values.
  template <class... Spec>
  auto read(const Spec&... specs) const {
    return std::tuple<decltype(resolve(specs))...>{resolve(specs)...};  // braces: evaluated left to right
  }

  // Resolves the arguments in the order written (specs are read from JavaScript, plain values pass through),
  // calls the kernel with them and returns its result as a JavaScript number, or undefined for a void kernel.
  template <class Kernel, class... Arg>
  napi_value run(Kernel kernel, const Arg&... args) const {
    auto values = read(args...);
    if constexpr (std::is_void_v<decltype(std::apply(kernel, values))>) {
      std::apply(kernel, values);
      return nullptr;  // undefined
    } else {
      return toJs(static_cast<double>(std::apply(kernel, values)));
    }
  }

  napi_value toJs(double value) const;

 private:
  struct Typed {
    bool ok;  // a typed array of the wanted type
    void* data;
    size_t size;
  };
  // One Node-API call answers both "is it a typed array of this type?" and "where and how long?".
  Typed typed(size_t i, napi_typedarray_type want) const {
    Typed a{false, nullptr, 0};
    napi_typedarray_type type;
    if (i < argc_ && napi_get_typedarray_info(env_, argv_[i], &type, &a.size, &a.data, nullptr, nullptr) == napi_ok)
      a.ok = type == want;
    return a;
  }
  void* checked(const Typed& a, size_t need, const char* name) const {
    if (a.size < need) failLength(name, a.size, need);
    return a.data;
  }

  template <class Spec>
  auto resolve(const Spec& spec) const {
    if constexpr (std::is_invocable_v<const Spec&, const Call&>)
      return spec(*this);
    else
      return spec;
  }

  [[noreturn]] void failType(const char* name, const char* what) const;
  [[noreturn]] void failF32(size_t i, const char* name) const;
  [[noreturn]] void failLength(const char* name, size_t has, size_t need) const;
  [[noreturn]] void failNotInteger(const char* name) const;
  [[noreturn]] void failBelow(const char* name, int64_t min) const;

  napi_env env_;
  const napi_value* argv_;
  size_t argc_;
};

// The element count of an array with these dimensions.
template <class... Dim>
constexpr size_t elems(Dim... dims) {
  return (size_t{1} * ... * static_cast<size_t>(dims));
}

// Argument specs for Call::read and Call::run: where an argument is, its name in messages, and for arrays how
// many elements it needs.
struct F32 {
  size_t at;
  const char* name;
  size_t need;
  F32(size_t i, const char* n, size_t len) : at(i), name(n), need(len) {}
  float* operator()(const Call& c) const { return c.f32(at, need, name); }
};
struct F32OrNull {
  size_t at;
  const char* name;
  size_t need;
  F32OrNull(size_t i, const char* n, size_t len) : at(i), name(n), need(len) {}
  float* operator()(const Call& c) const { return c.f32OrNull(at, need, name); }
};
struct F64 {
  size_t at;
  const char* name;
  size_t need;
  F64(size_t i, const char* n, size_t len) : at(i), name(n), need(len) {}
  double* operator()(const Call& c) const { return c.f64(at, need, name); }
};
struct I32 {
  size_t at;
  const char* name;
  size_t need;
  I32(size_t i, const char* n, size_t len) : at(i), name(n), need(len) {}
  int32_t* operator()(const Call& c) const { return c.i32(at, need, name); }
};
struct Num {
  size_t at;
  const char* name;
  Num(size_t i, const char* n) : at(i), name(n) {}
  double operator()(const Call& c) const { return c.number(at, name); }
};
struct Bool {
  size_t at;
  const char* name;
  Bool(size_t i, const char* n) : at(i), name(n) {}
  bool operator()(const Call& c) const { return c.boolean(at, name); }
};

}  // namespace tl::binding
