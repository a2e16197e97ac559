// Kernels that touch each activation once: activations and their derivatives, the broadcast of a
// bias over a batch, and the sums over samples that give a bias its gradient. Every one runs over
// whole padded rows, so no loop has a tail; `n` is a multiple of simd::width and the pointers are
// aligned, as they are for every batch the library allocates.
#pragma once

#include <cstddef>
#include <span>

#include "../core/batch.hpp"
#include "simd.hpp"

namespace neuroplastic::kernels {

/// y[i] = f(x[i]) for i < n, with `f` taking and returning simd::vec. `x` and `y` may alias.
template <class F>
void map(const float* x, float* y, std::size_t n, F f) noexcept {
    for (std::size_t i = 0; i < n; i += simd::width) simd::store(y + i, f(simd::load(x + i)));
}

/// dx[i] = g(x[i], y[i], dy[i]) for i < n: the backward pass of an element-wise function.
template <class G>
void map_backward(const float* x, const float* y, const float* dy, float* dx, std::size_t n,
                  G g) noexcept {
    for (std::size_t i = 0; i < n; i += simd::width) {
        simd::store(dx + i, g(simd::load(x + i), simd::load(y + i), simd::load(dy + i)));
    }
}

/// Sets every sample of row r of `y` to values[r]: the bias a dense layer starts its sum from.
inline void broadcast_rows(const float* values, matrix_view<float> y) noexcept {
    for (std::size_t r = 0; r < y.rows; ++r) {
        const simd::vec v = simd::broadcast(values[r]);
        float* row = y.row(r);
        for (std::size_t s = 0; s < y.stride; s += simd::width) simd::store(row + s, v);
    }
}

/// out[r] = the sum of row r of `x` over its samples (the padding is zero and adds nothing).
inline void row_sums(matrix_view<const float> x, float* out) noexcept {
    for (std::size_t r = 0; r < x.rows; ++r) {
        const float* row = x.row(r);
        simd::vec sum = simd::broadcast(0.0f);
        for (std::size_t s = 0; s < x.stride; s += simd::width) sum = sum + simd::load(row + s);
        out[r] = simd::reduce_add(sum);
    }
}

/// Whether every value is finite (no NaN, no infinity): x - x is 0 for finite x and NaN
/// otherwise, and a NaN anywhere makes the sum NaN. Four sums side by side keep the adds from
/// waiting on each other: the trainer checks every gradient of every step.
inline bool all_finite(std::span<const float> values) noexcept {
    constexpr std::size_t w = simd::width;
    const std::size_t n = values.size();
    const float* p = values.data();
    simd::vec sum[4] = {simd::broadcast(0.0f), simd::broadcast(0.0f), simd::broadcast(0.0f),
                        simd::broadcast(0.0f)};
    std::size_t i = 0;
    for (; i + 4 * w <= n; i += 4 * w) {
        for (std::size_t k = 0; k < 4; ++k) {
            const simd::vec v = simd::load_unaligned(p + i + k * w);
            sum[k] = sum[k] + (v - v);
        }
    }
    for (; i + w <= n; i += w) {
        const simd::vec v = simd::load_unaligned(p + i);
        sum[0] = sum[0] + (v - v);
    }
    float tail = simd::reduce_add((sum[0] + sum[1]) + (sum[2] + sum[3]));
    for (; i < n; ++i) tail += p[i] - p[i];
    return tail == 0.0f;
}

/// Zeroes the padding after the samples of every row, which products that run over whole padded
/// rows rely on.
inline void clear_padding(matrix_view<float> x) noexcept {
    for (std::size_t r = 0; r < x.rows; ++r) {
        float* row = x.row(r);
        for (std::size_t s = x.samples; s < x.stride; ++s) row[s] = 0.0f;
    }
}

}  // namespace neuroplastic::kernels
