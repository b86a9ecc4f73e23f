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

// Runs task(c) for c in [0, chunks) on the calling thread and up to T - 1 workers, each taking the next chunk when
// it is free, and returns when all are done (an exception thrown by a chunk is rethrown here). For work that splits
// into independent pieces: a thread the OS deschedules delays at most the chunk it holds.
void parallelChunks(int chunks, int T, const std::function<void(int)>& task);

// Splits [0, n) into T contiguous ranges: range t is [n*t/T, n*(t+1)/T).
inline size_t rangeStart(size_t n, int t, int T) { return n * static_cast<size_t>(t) / static_cast<size_t>(T); }

}  // namespace tl
