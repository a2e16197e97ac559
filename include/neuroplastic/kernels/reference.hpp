// Plain scalar versions of the optimised kernels, written for clarity and nothing else. The tests
// check every SIMD kernel against these; they are public so users can check kernels of their own.
#pragma once

#include <cstddef>

#include "../core/batch.hpp"
#include "gemm.hpp"

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

}  // namespace neuroplastic::kernels::reference
