// The machine's own ceiling: how many float multiply-adds one core retires per second when nothing else limits
// it. Benchmarks divide a kernel's useful work by this to say how close to the hardware it runs.
#pragma once

namespace tl {

// Best of a few ~10 ms runs of independent vector FMAs on the calling thread, in GFLOPS (2 per multiply-add);
// 0 in builds without vector kernels.
double fmaPeakGflops();

}  // namespace tl
