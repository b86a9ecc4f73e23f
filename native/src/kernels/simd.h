// AVX-512 intrinsics where the compiler targets them (builds use -march=native).
#pragma once
#if defined(__AVX512F__)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 flags the _mm512_undefined_ps() placeholders inside its own intrinsic wrappers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#endif
