// Embedding lookup: rows of table[V,D] picked by index.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

// out[i,:] = table[idx[i],:]. Throws InputError for an index outside [0, V).
void embeddingForward(const float* table, const int32_t* idx, float* out, size_t V, size_t D, size_t n);
// dtable[idx[i],:] += dout[i,:], after zeroing dtable unless accumulate. Throws InputError for a bad index.
void embeddingBackward(const float* dout, const int32_t* idx, float* dtable, size_t V, size_t D, size_t n,
                       bool accumulate);
// Zeroes rows[k] of dtable[V,D] for k < nRows. Throws InputError for a row outside [0, V).
void embeddingClearRows(float* dtable, const int32_t* rows, size_t V, size_t D, size_t nRows);

}  // namespace tl
