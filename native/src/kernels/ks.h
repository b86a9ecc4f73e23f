// Two-sample Kolmogorov-Smirnov statistics of matching rows of two matrices (the rows of an embedding before and
// after tuning), read straight from a checkpoint's bytes: float32, float16 or bfloat16.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

enum class RowDtype { F32 = 0, F16 = 1, BF16 = 2 };

// For each row r of `rows` rows of `dim` values, counts[r] = max over x of |#{a_r <= x} - #{b_r <= x}|, so that the
// statistic is D_r = counts[r] / dim (exact, as both samples have dim points). -0 counts as +0, as in a float
// comparison. Returns -1, or 2*r + s for the first row r holding a NaN or an infinity (s = 0: in a, s = 1: in b).
int64_t ksRowCounts(const uint8_t* a, const uint8_t* b, size_t rows, size_t dim, RowDtype dtype, int32_t* counts);

}  // namespace tl
