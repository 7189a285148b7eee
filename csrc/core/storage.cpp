#include "core/storage.h"

#include <pthread.h>
#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "cuda/kernels.h"

namespace pt {

// The CPU caching allocator. A training loop allocates the same sizes every step; handing
// freed blocks back out avoids both malloc and, for large blocks, the page faults of touching
// fresh memory (they cost as much as the arithmetic of an elementwise op). Blocks are reused
// only at their exact rounded size; the cache holds at most kMaxCachedBytes.
namespace {

constexpr int64_t kPage = 4096;
constexpr int64_t kHugePage = 2 << 20;
constexpr int64_t kMaxCachedBytes = int64_t{1} << 30;

int64_t rounded_size(int64_t n) {
  const int64_t unit = n >= kPage ? kPage : 64;
  return (n + unit - 1) / unit * unit;
}

struct CpuCache {
  std::mutex m;
  std::unordered_map<int64_t, std::vector<void*>> free_blocks;
  int64_t cached_bytes = 0;
};

CpuCache* g_cache = new CpuCache();  // leaked, so it outlives every static tensor

// A forked child may have inherited the lock mid-use: it starts with an empty cache.
void reset_cache_in_child() { g_cache = new CpuCache(); }

void* os_alloc(int64_t size) {
  void* p = nullptr;
  const int64_t align = size >= kHugePage ? kHugePage : 64;
  if (posix_memalign(&p, static_cast<size_t>(align), static_cast<size_t>(size)) != 0) return nullptr;
#ifdef MADV_HUGEPAGE
  if (size >= kHugePage) madvise(p, static_cast<size_t>(size), MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace

void* cpu_alloc(int64_t nbytes) {
  if (nbytes == 0) return nullptr;
  static const bool registered = (pthread_atfork(nullptr, nullptr, reset_cache_in_child), true);
  (void)registered;
  const int64_t size = rounded_size(nbytes);
  {
    std::lock_guard<std::mutex> lk(g_cache->m);
    auto it = g_cache->free_blocks.find(size);
    if (it != g_cache->free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      g_cache->cached_bytes -= size;
      return p;
    }
  }
  void* p = size >= nbytes ? os_alloc(size) : nullptr;
  if (!p) {
    cpu_empty_cache();  // give cached blocks back to the OS and try once more
    p = size >= nbytes ? os_alloc(size) : nullptr;
  }
  if (!p)
    throw RuntimeError(str_cat("DefaultCPUAllocator: not enough memory: you tried to allocate ",
                               nbytes, " bytes."));
  return p;
}

void cpu_free(void* p, int64_t nbytes) {
  if (!p) return;
  const int64_t size = rounded_size(nbytes);
  {
    std::lock_guard<std::mutex> lk(g_cache->m);
    if (g_cache->cached_bytes + size <= kMaxCachedBytes) {
      g_cache->free_blocks[size].push_back(p);
      g_cache->cached_bytes += size;
      return;
    }
  }
  std::free(p);
}

void cpu_empty_cache() {
  std::vector<void*> blocks;
  {
    std::lock_guard<std::mutex> lk(g_cache->m);
    for (auto& [size, list] : g_cache->free_blocks) blocks.insert(blocks.end(), list.begin(), list.end());
    g_cache->free_blocks.clear();
    g_cache->cached_bytes = 0;
  }
  for (void* p : blocks) std::free(p);
}

int64_t cpu_cached_bytes() {
  std::lock_guard<std::mutex> lk(g_cache->m);
  return g_cache->cached_bytes;
}

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device) {
  void* p = device.is_cpu() ? cpu_alloc(nbytes) : cuda::malloc(nbytes, device.index);
  return std::make_shared<Storage>(p, nbytes, device, nullptr);
}

std::shared_ptr<Storage> Storage::allocate_pinned(int64_t nbytes) {
  auto s = std::make_shared<Storage>(cuda::host_alloc(nbytes), nbytes, cpu_device(), nullptr);
  s->pinned_ = true;
  return s;
}

std::shared_ptr<Storage> Storage::wrap(void* data, int64_t nbytes, Device device,
                                       std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, device, std::move(owner));
}

Storage::~Storage() {
  if (owner_ || !data_) return;
  if (pinned_)
    cuda::host_free(data_);
  else if (device_.is_cpu())
    cpu_free(data_, nbytes_);
  else
    cuda::free(data_, device_.index);
}

}  // namespace pt
