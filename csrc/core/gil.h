// Lets kernels release the Python GIL without the core depending on Python: the bindings
// install the two hooks at import; a build without Python leaves them null.
#pragma once

namespace pt {

struct GilHooks {
  void* (*release)() = nullptr;      // returns a token, or null when the GIL was not held
  void (*restore)(void*) = nullptr;
};
GilHooks& gil_hooks();

class GilRelease {
 public:
  explicit GilRelease(bool enable) {
    if (enable && gil_hooks().release) token_ = gil_hooks().release();
  }
  ~GilRelease() {
    if (token_) gil_hooks().restore(token_);
  }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  void* token_ = nullptr;
};

}  // namespace pt
