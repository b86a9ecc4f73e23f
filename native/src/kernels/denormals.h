// Subnormal floats (below 1.2e-38) cost ~100 cycles per operation on x86. Training produces them: Adam's second
// moment of a gradient of 1e-20 is 1e-43. Kernels run with flush-to-zero and denormals-are-zero, as PyTorch's
// fast paths and most BLAS kernels effectively do.
#pragma once
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace tl {

constexpr unsigned kFlushDenormalBits = 0x8040;  // MXCSR: FTZ (bit 15) | DAZ (bit 6)

// Flushes for its lifetime, then restores the caller's mode, so V8's own double arithmetic on this thread keeps
// IEEE subnormals. The binding layer holds one for each whole native call.
struct FlushDenormals {
#if defined(__SSE__)
  unsigned saved = _mm_getcsr();
  FlushDenormals() { _mm_setcsr(saved | kFlushDenormalBits); }
  ~FlushDenormals() { _mm_setcsr(saved); }
#endif
};

}  // namespace tl
