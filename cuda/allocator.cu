// The CUDA caching allocator. cudaMalloc/cudaFree synchronise the device and cost tens of
// microseconds, so freed blocks stay cached and are handed out again. Requests round up to
// 512 bytes; small ones (<= 1 MiB) are cut from 2 MiB segments, large ones get their own
// segment rounded to 2 MiB. A cached block larger than a request is split, and a freed block
// merges with free neighbours of its segment. All work runs on the one default stream, which
// orders a reused block's new kernels after its old ones.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"

namespace pt::cuda {
namespace {

constexpr size_t kRound = 512;
constexpr size_t kSmallRequest = 1 << 20;
constexpr size_t kSmallSegment = 2 << 20;
constexpr size_t kLargeRound = 2 << 20;

struct Block {
  char* ptr;
  size_t size;
  bool small;  // cut from a small-pool segment
  bool free = true;
  Block* prev = nullptr;  // neighbours in the same segment
  Block* next = nullptr;
};

// Best fit: the smallest free block that is large enough, lowest address on ties.
struct BySize {
  bool operator()(const Block* a, const Block* b) const {
    return a->size != b->size ? a->size < b->size : a->ptr < b->ptr;
  }
};

struct DeviceCache {
  std::set<Block*, BySize> free_small, free_large;
  std::unordered_map<void*, Block*> live;
  int64_t allocated = 0, peak = 0, reserved = 0;

  std::set<Block*, BySize>& pool(bool small) { return small ? free_small : free_large; }
};

std::mutex g_mutex;
std::vector<DeviceCache>* g_caches = new std::vector<DeviceCache>();  // leaked: outlives static tensors

DeviceCache& cache_for(int device) {
  if (g_caches->empty()) g_caches->resize(std::max(device_count(), 1));
  PT_CHECK(device >= 0 && device < static_cast<int>(g_caches->size()), RuntimeError,
           "CUDA error: invalid device ordinal ", device);
  return (*g_caches)[device];
}

// "512.00 MiB", "3.25 GiB": the sizes in out-of-memory messages.
std::string mib(int64_t bytes) {
  char buf[48];
  if (bytes >= (int64_t{1} << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
  else std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / 1048576.0);
  return buf;
}

// Frees the segments of `c` that are one whole free block; the caller holds g_mutex.
void release_free_segments(DeviceCache& c, int device) {
  cudaSetDevice(device);
  for (bool small : {true, false}) {
    auto& pool = c.pool(small);
    for (auto it = pool.begin(); it != pool.end();) {
      Block* b = *it;
      if (b->prev || b->next) { ++it; continue; }
      cudaFree(b->ptr);
      c.reserved -= b->size;
      it = pool.erase(it);
      delete b;
    }
  }
}

Block* new_segment(DeviceCache& c, int device, size_t size, bool small, size_t request) {
  void* p = nullptr;
  cudaError_t err = cudaMalloc(&p, size);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it, give the cache back and try once more
    release_free_segments(c, device);
    err = cudaMalloc(&p, size);
  }
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    throw OutOfMemoryError(str_cat(
        "CUDA out of memory. Tried to allocate ", mib(request), ". GPU ", device,
        " has a total capacity of ", mib(total_b), " of which ", mib(free_b), " is free. Of the ",
        "allocated memory ", mib(c.allocated), " is allocated by pytensor, and ",
        mib(c.reserved - c.allocated), " is reserved by pytensor but unallocated."));
  }
  check(err, "cudaMalloc");
  c.reserved += size;
  return new Block{static_cast<char*>(p), size, small};
}

}  // namespace

void* malloc(int64_t nbytes, int device) {
  PT_CHECK(is_available(), RuntimeError, "CUDA error: no CUDA-capable device is detected");
  PT_CHECK(nbytes >= 0, RuntimeError, "CUDA allocator: negative size ", nbytes);
  if (nbytes == 0) return nullptr;
  const size_t request = static_cast<size_t>(nbytes);
  if (request > (size_t{1} << 62))
    throw OutOfMemoryError(str_cat("CUDA out of memory. Tried to allocate ", mib(nbytes), "."));
  const size_t size = (request + kRound - 1) / kRound * kRound;
  const bool small = size <= kSmallRequest;
  std::lock_guard<std::mutex> lk(g_mutex);
  DeviceCache& c = cache_for(device);
  auto& pool = c.pool(small);
  Block key{nullptr, size, small};
  Block* b;
  auto it = pool.lower_bound(&key);
  if (it != pool.end()) {
    b = *it;
    pool.erase(it);
  } else {
    check(cudaSetDevice(device), "cudaSetDevice");
    b = new_segment(c, device, small ? kSmallSegment : (size + kLargeRound - 1) / kLargeRound * kLargeRound,
                    small, request);
  }
  // Split off the rest when it can serve another request of this pool.
  const size_t rest = b->size - size;
  if (rest >= (small ? kRound : kSmallRequest + 1)) {
    Block* tail = new Block{b->ptr + size, rest, small, true, b, b->next};
    if (b->next) b->next->prev = tail;
    b->next = tail;
    b->size = size;
    pool.insert(tail);
  }
  b->free = false;
  c.live[b->ptr] = b;
  c.allocated += b->size;
  c.peak = std::max(c.peak, c.allocated);
  return b->ptr;
}

void free(void* p, int device) {
  if (!p) return;
  std::lock_guard<std::mutex> lk(g_mutex);
  DeviceCache& c = cache_for(device);
  auto it = c.live.find(p);
  if (it == c.live.end()) return;  // not ours: never happens for storages we allocated
  Block* b = it->second;
  c.live.erase(it);
  c.allocated -= b->size;
  b->free = true;
  auto& pool = c.pool(b->small);
  // Merge with free neighbours so a later large request can use the joined range.
  for (Block* n : {b->prev, b->next}) {
    if (!n || !n->free) continue;
    pool.erase(n);
    Block* lo = n == b->prev ? n : b;
    Block* hi = n == b->prev ? b : n;
    lo->size += hi->size;
    lo->next = hi->next;
    if (hi->next) hi->next->prev = lo;
    delete hi;
    b = lo;
  }
  pool.insert(b);
}

void empty_cache() {
  if (!is_available()) return;
  std::lock_guard<std::mutex> lk(g_mutex);
  for (size_t d = 0; d < g_caches->size(); ++d) release_free_segments((*g_caches)[d], static_cast<int>(d));
}

template <class F>
static int64_t stat(int device, const F& get) {
  if (!is_available()) return 0;
  std::lock_guard<std::mutex> lk(g_mutex);
  return get(cache_for(device));
}

int64_t memory_allocated(int device) { return stat(device, [](DeviceCache& c) { return c.allocated; }); }
int64_t max_memory_allocated(int device) { return stat(device, [](DeviceCache& c) { return c.peak; }); }
int64_t memory_reserved(int device) { return stat(device, [](DeviceCache& c) { return c.reserved; }); }

void reset_peak_memory_stats(int device) {
  PT_CHECK(is_available(), RuntimeError, "reset_peak_memory_stats: no CUDA GPUs are available");
  stat(device, [](DeviceCache& c) { return c.peak = c.allocated; });
}

}  // namespace pt::cuda
