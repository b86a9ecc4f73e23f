// A pruned weight in compressed sparse row form: row i's non-zeros are k in [rowPtr[i], rowPtr[i+1]), in column
// col[k]; their values live in a separate array of nnz floats so the structure is built once per pruning round.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

struct Csr {
  const int32_t* rowPtr;  // rows + 1 entries
  const int32_t* col;     // nnz entries
  int rows, cols;
  size_t nnz;  // rowPtr[rows]
};

// Throws InputError unless rowPtr starts at 0 and never decreases and every column index is in [0, cols): checked
// once per call, so a corrupt index never becomes an out-of-bounds write.
void validateCsr(const Csr& c);

}  // namespace tl
