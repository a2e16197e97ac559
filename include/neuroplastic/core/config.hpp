// Version and build configuration of neuroplastic.
#pragma once

#include <cstddef>

#define NEUROPLASTIC_VERSION_MAJOR 0
#define NEUROPLASTIC_VERSION_MINOR 1
#define NEUROPLASTIC_VERSION_PATCH 0

// NEUROPLASTIC_SCALAR=1 compiles every kernel without SIMD, for platforms xsimd does not cover
// and to test the scalar path on machines it does.
#ifndef NEUROPLASTIC_SCALAR
#define NEUROPLASTIC_SCALAR 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NEUROPLASTIC_INLINE inline __attribute__((always_inline))
#define NEUROPLASTIC_RESTRICT __restrict__
// A hint to fetch the cache line holding *address for reading; it never faults.
#define NEUROPLASTIC_PREFETCH(address) __builtin_prefetch(address)
#else
#define NEUROPLASTIC_INLINE inline
#define NEUROPLASTIC_RESTRICT
#define NEUROPLASTIC_PREFETCH(address) static_cast<void>(address)
#endif

namespace neuroplastic {

/// The library's version as a number, major * 10000 + minor * 100 + patch.
inline constexpr int version = NEUROPLASTIC_VERSION_MAJOR * 10000 +
                               NEUROPLASTIC_VERSION_MINOR * 100 + NEUROPLASTIC_VERSION_PATCH;

/// Alignment of every buffer the library allocates: a cache line, and the widest SIMD register.
inline constexpr std::size_t buffer_alignment = 64;

/// A batch's storage pads each feature's row of samples to a multiple of this many floats, so
/// every row starts on a cache line and kernels need no tail loop over samples.
inline constexpr std::size_t sample_padding = buffer_alignment / sizeof(float);

}  // namespace neuroplastic
