// Gathering a minibatch of byte samples turns rows of bytes (sample after sample) into columns
// of floats (feature after feature). This header does that for a block of eight samples by eight
// features at a time with SSE2's byte unpacking, which every x86-64 processor has, and AVX2's
// widening where the build targets it: about 1.5x faster than moving one byte at a time through
// a table (a Fashion-MNIST epoch's gathering, docs/benchmarks.md). Other processors, and builds
// with NEUROPLASTIC_SCALAR=1, keep the byte-at-a-time copy in data/dataset.hpp; a NEON version
// (vzip on bytes) is a known gap (docs/limits.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../core/config.hpp"

#if !NEUROPLASTIC_SCALAR && (defined(__SSE2__) || defined(_M_X64))
#define NEUROPLASTIC_BYTE_TRANSPOSE 1
#include <immintrin.h>
#else
#define NEUROPLASTIC_BYTE_TRANSPOSE 0
#endif

namespace neuroplastic::detail {

#if NEUROPLASTIC_BYTE_TRANSPOSE

/// out[k * stride + q] = float(rows[q][k]) / divisor for k, q < 8: eight bytes of each of eight
/// samples, written as eight rows of eight floats. The quotient is IEEE division, so each value
/// has the bits of the scalar `float(b) / divisor`. `out` needs no alignment.
inline void transpose_bytes_8x8(const std::uint8_t* const* rows, float divisor, float* out,
                                std::size_t stride) noexcept {
    __m128i r[8];
    for (int q = 0; q < 8; ++q) r[q] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rows[q]));
    // Three rounds of interleaving: pairs of samples byte by byte, then pairs of pairs two bytes
    // at a time, then four bytes at a time. Register m of the last round holds feature 2m of
    // samples 0-7 in its low eight bytes and feature 2m + 1 in its high eight.
    const __m128i p0 = _mm_unpacklo_epi8(r[0], r[1]), p1 = _mm_unpacklo_epi8(r[2], r[3]);
    const __m128i p2 = _mm_unpacklo_epi8(r[4], r[5]), p3 = _mm_unpacklo_epi8(r[6], r[7]);
    const __m128i h0 = _mm_unpacklo_epi16(p0, p1), h1 = _mm_unpackhi_epi16(p0, p1);
    const __m128i h2 = _mm_unpacklo_epi16(p2, p3), h3 = _mm_unpackhi_epi16(p2, p3);
    const __m128i features[4] = {_mm_unpacklo_epi32(h0, h2), _mm_unpackhi_epi32(h0, h2),
                                 _mm_unpacklo_epi32(h1, h3), _mm_unpackhi_epi32(h1, h3)};
#if defined(__AVX2__)
    const __m256 d = _mm256_set1_ps(divisor);
    const auto write = [&](__m128i eight_bytes, std::size_t k) {
        const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(eight_bytes));
        _mm256_storeu_ps(out + k * stride, _mm256_div_ps(v, d));
    };
#else
    const __m128 d = _mm_set1_ps(divisor);
    const __m128i zero = _mm_setzero_si128();
    const auto write = [&](__m128i eight_bytes, std::size_t k) {
        const __m128i words = _mm_unpacklo_epi8(eight_bytes, zero);
        const __m128 low = _mm_cvtepi32_ps(_mm_unpacklo_epi16(words, zero));
        const __m128 high = _mm_cvtepi32_ps(_mm_unpackhi_epi16(words, zero));
        _mm_storeu_ps(out + k * stride, _mm_div_ps(low, d));
        _mm_storeu_ps(out + k * stride + 4, _mm_div_ps(high, d));
    };
#endif
    for (std::size_t m = 0; m < 4; ++m) {
        write(features[m], 2 * m);
        write(_mm_unpackhi_epi64(features[m], features[m]), 2 * m + 1);
    }
}

#endif

}  // namespace neuroplastic::detail
