#include "kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/denormals.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TL_PAUSE() _mm_pause()
#else
#define TL_PAUSE() std::this_thread::yield()
#endif

namespace tl {
namespace {

// How long a worker spins for the next job before it sleeps. The kernels of one training step come tens to
// hundreds of microseconds apart (other ops run between them), and waking a sleeping thread costs about as much
// as a small sparse layer, so a worker keeps spinning through a step; OpenMP runtimes spin far longer by default.
constexpr auto kSpin = std::chrono::microseconds(500);

thread_local bool t_inJob = false;

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }

  void run(int T, const std::function<void(int)>& task) {
    // A kernel called from inside a pool job runs its shares itself, and so does one called while a worker is
    // still finishing a chunked job it woke up to late (runChunks): nothing waits for a descheduled thread.
    if (T <= 1 || t_inJob || pending_.load(std::memory_order_acquire) != 0) {
      for (int t = 0; t < T; ++t) task(t);
      return;
    }
    launch(T, &task, true);
  }

  // Chunks [0, chunks) handed out one at a time to the calling thread and up to T - 1 workers, and done when every
  // chunk is: a worker the OS has descheduled holds up at most the chunk it took, not a fixed share of the work.
  // On a 2-core machine that also runs V8's helper threads that was the difference between a LeNet step on 2
  // threads taking 0.78 ms at best and 1.33 ms at the median.
  void runChunks(int chunks, int T, const std::function<void(int)>& task) {
    T = std::min(T, chunks);
    if (T <= 1 || t_inJob || pending_.load(std::memory_order_acquire) != 0) {
      for (int c = 0; c < chunks; ++c) task(c);
      return;
    }
    chunkTask_ = &task;
    chunkCount_ = chunks;
    chunkNext_.store(0, std::memory_order_relaxed);
    chunkDone_.store(0, std::memory_order_relaxed);
    chunkError_ = nullptr;
    // The workers run claimChunks, which lives as long as the pool; a worker that wakes after the last chunk was
    // done finds none left and never calls `task`, whose frame may be gone by then. Until it has finished,
    // pending_ stays above zero and the next job runs on the calling thread alone (see run).
    launch(T, &claimChunks_, false);
    while (chunkDone_.load(std::memory_order_acquire) < chunks) TL_PAUSE();
    chunkTask_ = nullptr;
    if (chunkError_) std::rethrow_exception(chunkError_);
  }

 private:
  // Task 0 on the calling thread, tasks 1..T-1 on workers; waits for the workers when told to (a chunked job
  // waits for its chunks instead).
  void launch(int T, const std::function<void(int)>* task, bool wait) {
    struct InJob {
      InJob() { t_inJob = true; }
      ~InJob() { t_inJob = false; }
    } guard;
    grow(T - 1);
    task_ = task;
    tasks_ = T;
    errors_.assign(T, nullptr);
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    try {
      (*task)(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    if (!wait) return;
    while (pending_.load(std::memory_order_acquire) != 0) TL_PAUSE();
    task_ = nullptr;
    for (auto& e : errors_)
      if (e) std::rethrow_exception(e);
  }

  void claimChunks() {
    for (int c = chunkNext_.fetch_add(1, std::memory_order_acq_rel); c < chunkCount_;
         c = chunkNext_.fetch_add(1, std::memory_order_acq_rel)) {
      try {
        (*chunkTask_)(c);
      } catch (...) {
        std::lock_guard<std::mutex> lk(errorMu_);
        if (!chunkError_) chunkError_ = std::current_exception();
      }
      chunkDone_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void grow(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int index = static_cast<int>(workers_.size()) + 1;
      const uint64_t seen = gen_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, seen] { loop(index, seen); });
    }
  }

  void loop(int index, uint64_t seen) {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | kFlushDenormalBits);  // workers only run kernels: flush subnormals for good
#endif
    for (;;) {
      uint64_t g = gen_.load(std::memory_order_acquire);
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int i = 0; g == seen; ++i) {
        TL_PAUSE();
        g = gen_.load(std::memory_order_acquire);
        if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) break;
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return gen_.load(std::memory_order_acquire) != seen; });
        g = gen_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_) return;
      if (index < tasks_) {
        t_inJob = true;
        try {
          (*task_)(index);
        } catch (...) {
          errors_[index] = std::current_exception();
        }
        t_inJob = false;
      }
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int)>* task_ = nullptr;
  int tasks_ = 0;
  std::vector<std::exception_ptr> errors_;
  bool stop_ = false;
  // The chunked job (runChunks).
  const std::function<void(int)>* chunkTask_ = nullptr;
  int chunkCount_ = 0;
  std::atomic<int> chunkNext_{0};
  std::atomic<int> chunkDone_{0};
  std::mutex errorMu_;
  std::exception_ptr chunkError_;
  const std::function<void(int)> claimChunks_ = [this](int) { claimChunks(); };
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void parallelRun(int T, const std::function<void(int)>& task) { pool().run(T, task); }

void parallelChunks(int chunks, int T, const std::function<void(int)>& task) { pool().runChunks(chunks, T, task); }

}  // namespace tl
