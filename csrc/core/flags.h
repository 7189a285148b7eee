// Process-wide switches PyTorch users set from Python: TF32 tensor-core matmuls on CUDA
// (pytensor.backends.cuda.matmul.allow_tf32, off by default as in PyTorch) and
// pytensor.use_deterministic_algorithms. Every kernel is deterministic by construction except
// CUDA index_put_ with repeated indices, which takes its sorted form when the switch is on, so
// no op needs to raise or warn.
#pragma once

namespace pt {

bool allow_tf32();
void set_allow_tf32(bool on);

bool deterministic_algorithms();
bool deterministic_warn_only();
void set_deterministic_algorithms(bool on, bool warn_only);

}  // namespace pt
