// parallel_for over an index range on pytensor's own thread pool.
// The pool is rebuilt lazily in a forked child (GNU OpenMP is not fork-safe), so DataLoader
// workers can run kernels. Nested calls run inline on the calling thread.
#pragma once
#include <cstdint>
#include <functional>

namespace pt {

int get_num_threads();
void set_num_threads(int n);
bool in_parallel_region();

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& fn);

// Calls fn(chunk_begin, chunk_end) over [begin, end) in chunks of at least `grain` items,
// so tiny ranges stay on the calling thread and pay nothing for the pool.
template <class F>
inline void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& fn) {
  if (begin >= end) return;
  if (grain < 1) grain = 1;
  if (end - begin <= grain || get_num_threads() == 1 || in_parallel_region()) {
    fn(begin, end);
    return;
  }
  parallel_for_impl(begin, end, grain, fn);
}

}  // namespace pt
