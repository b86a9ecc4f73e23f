// Sparse linear layers for pruned networks (SparseProp, Nikdan et al. 2023): CSR weights with a fixed mask,
// activations stored feature-major ([features, batch]) so every non-zero touches a contiguous batch row, and one
// backward pass over the non-zeros that yields the input gradient and the weight gradient at the mask's
// non-zeros only. Cost follows the number of non-zeros, not the dense size.
#pragma once
#include "kernels/csr.h"

namespace tl {

// w: Out x In (rows x cols), values[nnz]; xT[In,N], yT[Out,N]; yT = w xT + bias (bias may be null).
void sparseLinearForward(const Csr& w, const float* values, const float* bias, const float* xT, float* yT, int N);
// dxT[In,N] is overwritten; dValues[nnz] and dBias[Out] are overwritten or, with accumulate, added to. Null
// outputs are skipped.
void sparseLinearBackward(const Csr& w, const float* values, const float* xT, const float* dyT, float* dxT,
                          float* dValues, float* dBias, int N, bool accumulate);

}  // namespace tl
