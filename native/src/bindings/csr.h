// Reading a CSR weight's structure (kernels/csr.h) from two Int32Array arguments.
#pragma once
#include "bindings/call.h"
#include "kernels/csr.h"

namespace tl::binding {

// rowPtr at argument `first` (rows + 1 entries), colIdx right after it (rowPtr[rows] entries). Not validated:
// the caller runs validateCsr where its checks belong among the others.
inline Csr csrArgs(const Call& c, size_t first, int rows, int cols) {
  Csr w;
  w.rows = rows;
  w.cols = cols;
  w.rowPtr = c.i32(first, static_cast<size_t>(rows) + 1, "rowPtr");
  w.nnz = static_cast<size_t>(w.rowPtr[rows]);
  w.col = c.i32(first + 1, w.nnz, "colIdx");
  return w;
}

}  // namespace tl::binding
