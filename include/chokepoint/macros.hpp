// Portability macros: one spelling for code that runs on the host and on the device.
#pragma once

#if defined(__CUDACC__)
#define CHOKEPOINT_HD __host__ __device__
#define CHOKEPOINT_FORCEINLINE __forceinline__
#else
#define CHOKEPOINT_HD
#define CHOKEPOINT_FORCEINLINE inline __attribute__((always_inline))
#endif

// The CPU backend's file is compiled with -march=native (FMA contraction, wider vectors), the
// others without. An inline function that computes in floating point, compiled in both, would
// be two different codes under one name, and the linker keeps one copy for every caller: which
// one decides the last bits of, say, a quantile table built at compile time. So the shared
// numeric code (distributions, random streams, the step) sits in an inline namespace named
// after how the file is compiled; CMakeLists.txt defines CHOKEPOINT_NATIVE_FILE exactly where
// it adds -march=native. Types stay outside it: they are the same in every file.
#if defined(CHOKEPOINT_NATIVE_FILE)
#define CHOKEPOINT_CODE_BEGIN inline namespace native_code {
#define CHOKEPOINT_CODE_END }
#else
#define CHOKEPOINT_CODE_BEGIN
#define CHOKEPOINT_CODE_END
#endif
