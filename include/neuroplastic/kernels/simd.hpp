// The one place that knows which SIMD library and which version of it is in use. Kernels are
// written once against `simd::vec` and the free functions below; with NEUROPLASTIC_SCALAR=1 the
// same kernels compile to plain scalar code through a one-lane stand-in for xsimd::batch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "../core/config.hpp"

#if !NEUROPLASTIC_SCALAR
#include <xsimd/xsimd.hpp>
#endif

namespace neuroplastic::simd {

#if !NEUROPLASTIC_SCALAR

/// The widest float register of the architecture the code is compiled for.
using vec = xsimd::batch<float>;
using arch = vec::arch_type;

/// The name of the instruction set the kernels were compiled for, for logs and benchmarks.
inline const char* arch_name() noexcept { return arch::name(); }

NEUROPLASTIC_INLINE vec load(const float* p) noexcept { return vec::load_aligned(p); }
NEUROPLASTIC_INLINE vec load_unaligned(const float* p) noexcept { return vec::load_unaligned(p); }
NEUROPLASTIC_INLINE void store(float* p, vec v) noexcept { v.store_aligned(p); }
NEUROPLASTIC_INLINE void store_unaligned(float* p, vec v) noexcept { v.store_unaligned(p); }
NEUROPLASTIC_INLINE vec broadcast(float x) noexcept { return vec(x); }
NEUROPLASTIC_INLINE vec fma(vec a, vec b, vec c) noexcept { return xsimd::fma(a, b, c); }

/// The larger and the smaller of each lane. Which operand comes back when one is NaN differs
/// (x86 returns `b`; xsimd 14 and std::max return `a`), so no kernel relies on it: code that
/// must pass a NaN on compares and selects instead (relu does).
NEUROPLASTIC_INLINE vec max(vec a, vec b) noexcept { return xsimd::max(a, b); }
NEUROPLASTIC_INLINE vec min(vec a, vec b) noexcept { return xsimd::min(a, b); }

NEUROPLASTIC_INLINE vec abs(vec a) noexcept { return xsimd::abs(a); }
NEUROPLASTIC_INLINE vec exp(vec a) noexcept { return xsimd::exp(a); }
NEUROPLASTIC_INLINE vec tanh(vec a) noexcept { return xsimd::tanh(a); }
template <class Mask>
NEUROPLASTIC_INLINE vec select(Mask m, vec a, vec b) noexcept {
    return xsimd::select(m, a, b);
}
/// Whether any lane of a comparison holds.
template <class Mask>
NEUROPLASTIC_INLINE bool any(Mask m) noexcept {
    return xsimd::any(m);
}

/// The sum of a register's lanes. xsimd 9.0 renamed `hadd` to `reduce_add`; the branch for
/// older versions goes when xsimd 8 (Debian 12) is no longer supported.
NEUROPLASTIC_INLINE float reduce_add(vec v) noexcept {
#if XSIMD_VERSION_MAJOR < 9
    return xsimd::hadd(v);
#else
    return xsimd::reduce_add(v);
#endif
}

/// The sums of `width` registers at once: lane k of the result is the sum of the lanes of
/// rows[k]. One transposing reduction costs about as much as two calls of reduce_add.
NEUROPLASTIC_INLINE vec reduce_add_each(const vec* rows) noexcept {
    // xsimd's transposing sum (haddp) serves SSE3 and AVX. xsimd 8's AVX-512 version needs
    // AVX512DQ although it is declared for AVX512F (13.2's needs AVX512F only), so AVX-512 takes
    // the plain path; it may take haddp once xsimd 8 is dropped and both are measured there.
    if constexpr (std::is_base_of_v<xsimd::sse3, arch> || std::is_base_of_v<xsimd::avx, arch>) {
        return xsimd::haddp(rows);
    } else {
        alignas(buffer_alignment) float sums[vec::size];
        for (std::size_t k = 0; k < vec::size; ++k) sums[k] = reduce_add(rows[k]);
        return load(sums);
    }
}

#else  // NEUROPLASTIC_SCALAR

/// A one-lane register: the scalar build runs the SIMD kernels through this type.
struct vec {
    static constexpr std::size_t size = 1;
    float value;

    vec() = default;
    constexpr vec(float x) noexcept : value(x) {}  // NOLINT: mirrors xsimd's broadcast

    friend vec operator+(vec a, vec b) noexcept { return a.value + b.value; }
    friend vec operator-(vec a, vec b) noexcept { return a.value - b.value; }
    friend vec operator*(vec a, vec b) noexcept { return a.value * b.value; }
    friend vec operator/(vec a, vec b) noexcept { return a.value / b.value; }
    friend vec operator-(vec a) noexcept { return -a.value; }
    vec& operator+=(vec b) noexcept {
        value += b.value;
        return *this;
    }
    vec& operator-=(vec b) noexcept {
        value -= b.value;
        return *this;
    }
    vec& operator*=(vec b) noexcept {
        value *= b.value;
        return *this;
    }
    friend bool operator>(vec a, vec b) noexcept { return a.value > b.value; }
    friend bool operator<(vec a, vec b) noexcept { return a.value < b.value; }
    friend bool operator>=(vec a, vec b) noexcept { return a.value >= b.value; }
    friend bool operator<=(vec a, vec b) noexcept { return a.value <= b.value; }
};

inline const char* arch_name() noexcept { return "scalar"; }

NEUROPLASTIC_INLINE vec load(const float* p) noexcept { return *p; }
NEUROPLASTIC_INLINE vec load_unaligned(const float* p) noexcept { return *p; }
NEUROPLASTIC_INLINE void store(float* p, vec v) noexcept { *p = v.value; }
NEUROPLASTIC_INLINE void store_unaligned(float* p, vec v) noexcept { *p = v.value; }
NEUROPLASTIC_INLINE vec broadcast(float x) noexcept { return x; }
NEUROPLASTIC_INLINE vec fma(vec a, vec b, vec c) noexcept {
    return std::fma(a.value, b.value, c.value);
}
NEUROPLASTIC_INLINE vec max(vec a, vec b) noexcept { return std::max(a.value, b.value); }
NEUROPLASTIC_INLINE vec min(vec a, vec b) noexcept { return std::min(a.value, b.value); }
NEUROPLASTIC_INLINE vec abs(vec a) noexcept { return std::fabs(a.value); }
NEUROPLASTIC_INLINE vec exp(vec a) noexcept { return std::exp(a.value); }
NEUROPLASTIC_INLINE vec tanh(vec a) noexcept { return std::tanh(a.value); }
NEUROPLASTIC_INLINE vec select(bool m, vec a, vec b) noexcept { return m ? a : b; }
NEUROPLASTIC_INLINE bool any(bool m) noexcept { return m; }
NEUROPLASTIC_INLINE float reduce_add(vec v) noexcept { return v.value; }
NEUROPLASTIC_INLINE vec reduce_add_each(const vec* rows) noexcept { return rows[0]; }

#endif

/// Floats per register.
inline constexpr std::size_t width = vec::size;

}  // namespace neuroplastic::simd
