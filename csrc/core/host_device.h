// PT_HOST_DEVICE marks plain C++ helpers that CPU kernels and CUDA kernels share: host and
// device functions when nvcc compiles them, ordinary functions otherwise.
#pragma once

#ifdef __CUDACC__
#define PT_HOST_DEVICE __host__ __device__
#else
#define PT_HOST_DEVICE
#endif
