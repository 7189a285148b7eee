#include "core/parallel.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pt {
namespace {

thread_local bool t_in_parallel = false;

int default_num_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::atomic<int> g_num_threads{0};

// One job at a time: the caller publishes a task list, workers and caller pull chunk indices
// from an atomic counter, and the caller waits until every chunk has finished.
class ThreadPool {
 public:
  explicit ThreadPool(int nworkers) {
    for (int i = 0; i < nworkers; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Returns false when another thread holds the pool; the caller then runs serially.
  bool run(int64_t nchunks, const std::function<void(int64_t)>& chunk) {
    std::unique_lock<std::mutex> submit(submit_m_, std::try_to_lock);
    if (!submit.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lk(m_);
      task_ = &chunk;
      nchunks_ = nchunks;
      next_.store(0);
      pending_ = nchunks;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void work() {
    const bool was = t_in_parallel;
    t_in_parallel = true;
    for (;;) {
      int64_t i = next_.fetch_add(1);
      if (i >= nchunks_) break;
      try {
        (*task_)(i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(m_);
        if (!error_) error_ = std::current_exception();
      }
      std::lock_guard<std::mutex> lk(m_);
      if (--pending_ == 0) done_cv_.notify_all();
    }
    t_in_parallel = was;
  }
  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stop_ || (generation_ != seen && task_ != nullptr); });
        if (stop_) return;
        seen = generation_;
      }
      work();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex submit_m_, m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* task_ = nullptr;
  int64_t nchunks_ = 0;
  std::atomic<int64_t> next_{0};
  int64_t pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

std::mutex g_pool_m;
ThreadPool* g_pool = nullptr;  // leaked in a forked child: its threads and locks are gone there

void after_fork_in_child() { g_pool = nullptr; }

ThreadPool* get_pool(int nthreads) {
  static bool registered = (pthread_atfork(nullptr, nullptr, after_fork_in_child), true);
  (void)registered;
  std::lock_guard<std::mutex> lk(g_pool_m);
  if (g_pool && g_pool->size() != nthreads) {
    delete g_pool;
    g_pool = nullptr;
  }
  if (!g_pool) g_pool = new ThreadPool(nthreads - 1);
  return g_pool;
}

}  // namespace

int get_num_threads() {
  int n = g_num_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = default_num_threads();
    g_num_threads.store(n);
  }
  return n;
}

void set_num_threads(int n) { g_num_threads.store(std::max(1, n)); }

bool in_parallel_region() { return t_in_parallel; }

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& fn) {
  const int nthreads = get_num_threads();
  const int64_t n = end - begin;
  const int64_t nchunks = std::min<int64_t>(nthreads, (n + grain - 1) / grain);
  const int64_t per = (n + nchunks - 1) / nchunks;
  std::function<void(int64_t)> chunk = [&](int64_t i) {
    const int64_t b = begin + i * per;
    const int64_t e = std::min(end, b + per);
    if (b < e) fn(b, e);
  };
  if (nchunks <= 1 || !get_pool(nthreads)->run(nchunks, chunk)) fn(begin, end);
}

}  // namespace pt

