// Batch assembly and selection over whole datasets or score vectors.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

// out[i,:] = src[idx[i],:] * scale + shift for rows of rowLen bytes; src holds srcLen bytes. With featureMajor the
// batch is written transposed, out[:,i] (the layout of sparse layers, see sparse.h), which saves transposing it.
// Throws InputError (before writing anything) for a row index outside src.
void gatherU8(const uint8_t* src, size_t srcLen, const int32_t* idx, size_t rowLen, size_t n, float scale, float shift,
              float* out, bool featureMajor = false);
// The k-th smallest of n values (1 <= k <= n), partially reordering them in place: O(n) selection, where a full
// sort of tens of millions of pruning scores would take seconds.
float kthSmallest(float* values, size_t n, size_t k);

}  // namespace tl
