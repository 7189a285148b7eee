// Process-wide switches PyTorch users set from Python: TF32 tensor-core matmuls on CUDA
// (pytensor.backends.cuda.matmul.allow_tf32, off by default as in PyTorch) and
// pytensor.use_deterministic_algorithms, which makes ops without a run-to-run identical form
// raise (or warn) instead of running.
#pragma once

namespace pt {

bool allow_tf32();
void set_allow_tf32(bool on);

bool deterministic_algorithms();
bool deterministic_warn_only();
void set_deterministic_algorithms(bool on, bool warn_only);

// Called by an op whose result may differ run to run (float atomics): with deterministic
// algorithms on, raises RuntimeError naming the op, or warns through the hook below when
// warn_only is set.
void alert_not_deterministic(const char* op);
// The bindings install a hook that raises a Python UserWarning (the core knows no Python).
using WarnHook = void (*)(const char* message);
void set_warn_hook(WarnHook hook);

}  // namespace pt
