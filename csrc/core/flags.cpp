#include "core/flags.h"

#include <atomic>
#include <string>

#include "core/error.h"

namespace pt {

namespace {
std::atomic<bool> g_tf32{false}, g_deterministic{false}, g_warn_only{false};
std::atomic<WarnHook> g_warn{nullptr};
}  // namespace

bool allow_tf32() { return g_tf32.load(std::memory_order_relaxed); }
void set_allow_tf32(bool on) { g_tf32.store(on); }

bool deterministic_algorithms() { return g_deterministic.load(std::memory_order_relaxed); }
bool deterministic_warn_only() { return g_warn_only.load(std::memory_order_relaxed); }
void set_deterministic_algorithms(bool on, bool warn_only) {
  g_deterministic.store(on);
  g_warn_only.store(on && warn_only);
}

void set_warn_hook(WarnHook hook) { g_warn.store(hook); }

void alert_not_deterministic(const char* op) {
  if (!deterministic_algorithms()) return;
  const std::string msg = str_cat(
      op, " does not have a deterministic implementation, but you set "
          "'pytensor.use_deterministic_algorithms(True)'. You can turn off determinism just for "
          "this operation, or you can use the 'warn_only=True' option, if that's acceptable for "
          "your application.");
  if (!deterministic_warn_only()) throw RuntimeError(msg);
  if (WarnHook hook = g_warn.load()) hook(msg.c_str());
}

}  // namespace pt
