// Portability macros: one spelling for code that runs on the host and on the device.
#pragma once

#if defined(__CUDACC__)
#define CHOKEPOINT_HD __host__ __device__
#define CHOKEPOINT_FORCEINLINE __forceinline__
#else
#define CHOKEPOINT_HD
#define CHOKEPOINT_FORCEINLINE inline __attribute__((always_inline))
#endif
