// CSR structure checks (csr.h).
#include "kernels/csr.h"

#include "kernels/error.h"

namespace tl {

void validateCsr(const Csr& c) {
  if (c.rowPtr[0] != 0) throw InputError("rowPtr[0] must be 0");
  for (int i = 0; i < c.rows; ++i)
    if (c.rowPtr[i + 1] < c.rowPtr[i]) throw InputError("rowPtr must be non-decreasing");
  for (size_t k = 0; k < c.nnz; ++k)
    if (c.col[k] < 0 || c.col[k] >= c.cols) throw InputError("column index out of range");
}

}  // namespace tl
