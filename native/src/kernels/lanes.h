// Sums over a float loop that the compiler can vectorize: 16 independent partial sums (a plain `s += ...` loop
// is a serial chain, since float addition may not be reordered without -ffast-math), added up at the end.
#pragma once
#include <cstddef>

namespace tl {

template <class Term>
inline float laneSum(size_t n, Term term) {
  float acc[16] = {0};
  size_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (size_t l = 0; l < 16; ++l) acc[l] += term(j + l);
  float s = 0;
  for (; j < n; ++j) s += term(j);
  for (size_t l = 0; l < 16; ++l) s += acc[l];
  return s;
}

}  // namespace tl
