// Plain scalar versions of the optimised kernels, written for clarity and nothing else. The tests
// check every SIMD kernel against these; they are public so users can check kernels of their own.
#pragma once

#include <cstddef>
#include <vector>

#include "../core/batch.hpp"
#include "gemm.hpp"
#include "sparse.hpp"

namespace neuroplastic::kernels::reference {

/// C = op(A) op(B) (+ C when `accumulate`), summed in double in index order.
inline void gemm(std::size_t m, std::size_t n, std::size_t k, operand a, operand b, float* c,
                 std::size_t ldc, bool accumulate) noexcept {
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            double sum = accumulate ? c[i * ldc + j] : 0.0;
            for (std::size_t p = 0; p < k; ++p) sum += double(a(i, p)) * double(b(p, j));
            c[i * ldc + j] = static_cast<float>(sum);
        }
    }
}

/// out[r] = the sum of row r's samples.
inline void row_sums(matrix_view<const float> x, float* out) noexcept {
    for (std::size_t r = 0; r < x.rows; ++r) {
        double sum = 0.0;
        for (std::size_t s = 0; s < x.samples; ++s) sum += x(r, s);
        out[r] = static_cast<float>(sum);
    }
}

/// y = W x + b over every padded sample of y (no bias when `bias` is null), summed in double
/// over each row's live slots in order.
inline void sparse_forward(const sparse_rows& w, const float* weights, const float* bias,
                           matrix_view<const float> x, matrix_view<float> y) noexcept {
    for (std::size_t o = 0; o < w.rows; ++o) {
        for (std::size_t j = 0; j < y.stride; ++j) {
            double sum = bias != nullptr ? bias[o] : 0.0;
            for (std::size_t s = w.row_begin[o]; s < w.row_begin[o] + w.row_count[o]; ++s) {
                sum += double(weights[s]) * double(x(w.column[s], j));
            }
            y(o, j) = static_cast<float>(sum);
        }
    }
}

/// dx = W^T dy over every padded sample of dx, scattered from the rows (not the transposed
/// index) into sums in double; inputs without a connection get zeros.
inline void sparse_backward_input(const sparse_rows& w, const float* weights,
                                  matrix_view<const float> dy, matrix_view<float> dx) {
    std::vector<double> sums(w.cols * dx.stride, 0.0);
    for (std::size_t o = 0; o < w.rows; ++o) {
        for (std::size_t s = w.row_begin[o]; s < w.row_begin[o] + w.row_count[o]; ++s) {
            for (std::size_t j = 0; j < dx.stride; ++j) {
                sums[w.column[s] * dx.stride + j] += double(weights[s]) * double(dy(o, j));
            }
        }
    }
    for (std::size_t i = 0; i < w.cols; ++i) {
        for (std::size_t j = 0; j < dx.stride; ++j) {
            dx(i, j) = static_cast<float>(sums[i * dx.stride + j]);
        }
    }
}

/// gradient[s] = the sum over the samples (not the padding) of dy[o][j] * x[column[s]][j] for
/// every live slot s of row o, in double; slack slots are left alone.
inline void sparse_weight_gradient(const sparse_rows& w, matrix_view<const float> x,
                                   matrix_view<const float> dy, float* gradient) noexcept {
    for (std::size_t o = 0; o < w.rows; ++o) {
        for (std::size_t s = w.row_begin[o]; s < w.row_begin[o] + w.row_count[o]; ++s) {
            double sum = 0.0;
            for (std::size_t j = 0; j < dy.samples; ++j) {
                sum += double(dy(o, j)) * double(x(w.column[s], j));
            }
            gradient[s] = static_cast<float>(sum);
        }
    }
}

}  // namespace neuroplastic::kernels::reference
