// A small persistent thread pool for the kernels. Starting a std::thread costs tens of microseconds, more than a
// whole sparse layer of a pruned LeNet; pool workers stay alive, spin for half a millisecond after each job so
// the next one starts in about a microsecond, then sleep. Node calls kernels from one thread, so jobs never
// overlap.
#pragma once
#include <cstddef>
#include <functional>

namespace tl {

// Runs task(t) for t in [0, T), task 0 on the calling thread, the others on pool workers (started on first use).
// Returns when all are done; an exception thrown by any task is rethrown here.
void parallelRun(int T, const std::function<void(int)>& task);

// Splits [0, n) into T contiguous ranges: range t is [n*t/T, n*(t+1)/T).
inline size_t rangeStart(size_t n, int t, int T) { return n * static_cast<size_t>(t) / static_cast<size_t>(T); }

}  // namespace tl
