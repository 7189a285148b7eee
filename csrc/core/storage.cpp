#include "core/storage.h"

#include <cstdlib>

#include "core/error.h"
#include "cuda/kernels.h"

namespace pt {

void* cpu_alloc(int64_t nbytes) {
  if (nbytes == 0) return nullptr;
  void* p = nullptr;
  // Round up so the aligned size is a multiple of the alignment, as aligned_alloc requires.
  const int64_t rounded = (nbytes + 63) / 64 * 64;
  if (rounded < nbytes || posix_memalign(&p, 64, static_cast<size_t>(rounded)) != 0 || !p)
    throw RuntimeError(str_cat("DefaultCPUAllocator: not enough memory: you tried to allocate ",
                               nbytes, " bytes."));
  return p;
}

void cpu_free(void* p) { std::free(p); }

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device) {
  void* p = device.is_cpu() ? cpu_alloc(nbytes) : cuda::malloc(nbytes, device.index);
  return std::make_shared<Storage>(p, nbytes, device, nullptr);
}

std::shared_ptr<Storage> Storage::wrap(void* data, int64_t nbytes, Device device,
                                       std::shared_ptr<void> owner) {
  return std::make_shared<Storage>(data, nbytes, device, std::move(owner));
}

Storage::~Storage() {
  if (owner_ || !data_) return;
  if (device_.is_cpu())
    cpu_free(data_);
  else
    cuda::free(data_, device_.index);
}

}  // namespace pt
