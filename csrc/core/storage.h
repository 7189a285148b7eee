// Storage: a ref-counted buffer on one device. Tensors are views onto it. The version counter
// lives here so that every view of a buffer sees in-place writes made through any other.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "core/device.h"

namespace pt {

class Storage {
 public:
  // Owns fresh memory: 64-byte aligned on the CPU, from the CUDA allocator on a GPU.
  static std::shared_ptr<Storage> allocate(int64_t nbytes, Device device);
  // Page-locked CPU memory (Tensor.pin_memory), from the CUDA runtime.
  static std::shared_ptr<Storage> allocate_pinned(int64_t nbytes);
  // Borrows memory kept alive by `owner` (a numpy array, a DLPack capsule...).
  static std::shared_ptr<Storage> wrap(void* data, int64_t nbytes, Device device,
                                       std::shared_ptr<void> owner);
  Storage(void* data, int64_t nbytes, Device device, std::shared_ptr<void> owner)
      : data_(data), nbytes_(nbytes), device_(device), owner_(std::move(owner)) {}
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  int64_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool pinned() const { return pinned_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  int64_t nbytes_;
  Device device_;
  std::shared_ptr<void> owner_;  // null: data_ is ours to free
  bool pinned_ = false;
  std::atomic<uint64_t> version_{0};
};

// CPU memory through pytensor's caching allocator (64-byte aligned; 2 MiB aligned and
// huge-page backed where the OS allows for large blocks).
void* cpu_alloc(int64_t nbytes);
void cpu_free(void* p, int64_t nbytes);
// Returns every cached block to the OS; and how many bytes the cache holds.
void cpu_empty_cache();
int64_t cpu_cached_bytes();

}  // namespace pt
