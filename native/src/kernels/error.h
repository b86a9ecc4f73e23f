// The one error a kernel raises: bad input it finds while computing (an index outside its array, a label outside
// its classes). Kernels check before the access, so bad input never becomes an out-of-bounds read or write; the
// binding layer turns the error into a RangeError "<function>: <message>".
#pragma once
#include <stdexcept>

namespace tl {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tl
