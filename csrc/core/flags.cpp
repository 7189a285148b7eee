#include "core/flags.h"

#include <atomic>

namespace pt {

namespace {
std::atomic<bool> g_tf32{false}, g_deterministic{false}, g_warn_only{false};
}  // namespace

bool allow_tf32() { return g_tf32.load(std::memory_order_relaxed); }
void set_allow_tf32(bool on) { g_tf32.store(on); }

bool deterministic_algorithms() { return g_deterministic.load(std::memory_order_relaxed); }
bool deterministic_warn_only() { return g_warn_only.load(std::memory_order_relaxed); }
void set_deterministic_algorithms(bool on, bool warn_only) {
  g_deterministic.store(on);
  g_warn_only.store(on && warn_only);
}

}  // namespace pt
