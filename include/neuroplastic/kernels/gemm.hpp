// The matrix product behind dense layers: C = op(A) * op(B), or C += op(A) * op(B).
//
// The structure is the one of Goto and van de Geijn ("Anatomy of high-performance matrix
// multiplication", ACM TOMS 2008) as BLIS arranges it: blocks of B (kc x nc) are packed into
// panels nr columns wide, blocks of A (mc x kc) into panels mr rows tall, and a register-blocked
// micro-kernel multiplies one A panel by one B panel, holding an mr x nr tile of C in registers.
// Packing reads any layout through row and column strides, so the three products of a dense
// layer (W X, W^T dY, dY X^T) share one kernel: transposition costs only a different gather.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>

#include "../core/aligned_buffer.hpp"
#include "../core/config.hpp"
#include "../core/thread_pool.hpp"
#include "simd.hpp"

namespace neuroplastic::kernels {

/// A read-only matrix operand: element (i, j) is `data[i * row_stride + j * col_stride]`.
/// A row-major matrix has col_stride 1; its transpose is the same memory with the strides swapped.
struct operand {
    const float* data = nullptr;
    std::size_t row_stride = 0;
    std::size_t col_stride = 0;

    [[nodiscard]] float operator()(std::size_t i, std::size_t j) const noexcept {
        return data[i * row_stride + j * col_stride];
    }
    [[nodiscard]] operand transposed() const noexcept { return {data, col_stride, row_stride}; }
};

/// A row-major m x n matrix with rows `stride` apart, read as an operand.
[[nodiscard]] inline operand row_major(const float* data, std::size_t stride) noexcept {
    return {data, stride, 1};
}

namespace detail {

/// Register and cache blocking for the architecture compiled for. The micro-kernel keeps
/// mr * nr / width accumulators in registers: 12 of the 16 with AVX2 (6 x 16), 24 of the 32
/// with AVX-512 (12 x 32). Cache blocks suit a 32 KiB L1 and a 512 KiB L2 per core: a B panel of
/// kc x nr floats (24 KiB) stays in L1 while A panels stream from a 144 KiB block in L2. The sizes
/// were chosen by measurement (bench_kernels) on an AMD Zen 3 core.
struct gemm_blocking {
    static constexpr std::size_t nv = simd::width == 1 ? 4 : 2;  // registers across a C row
    static constexpr std::size_t nr = nv * simd::width;
    static constexpr std::size_t mr = simd::width >= 16 ? 12 : 6;
    static constexpr std::size_t kc = 384;
    static constexpr std::size_t mc = mr * (96 / mr);
    static constexpr std::size_t nc = nr * 64;
};

// Packs rows [i0, i0 + rows) x columns [p0, p0 + depth) of A into panels of mr rows: panel q holds,
// for each k, the mr values A(i0 + q*mr + r, p0 + k) consecutively. Short panels are zero-filled.
inline void pack_a(operand a, std::size_t i0, std::size_t rows, std::size_t p0, std::size_t depth,
                   float* NEUROPLASTIC_RESTRICT out) noexcept {
    constexpr std::size_t mr = gemm_blocking::mr;
    for (std::size_t q = 0; q < rows; q += mr) {
        const std::size_t live = std::min(mr, rows - q);
        const float* base = a.data + (i0 + q) * a.row_stride + p0 * a.col_stride;
        if (a.row_stride == 1 && live == mr) {
            // A is stored column-major here: each k's mr values are contiguous already.
            for (std::size_t k = 0; k < depth; ++k) {
                std::memcpy(out + k * mr, base + k * a.col_stride, mr * sizeof(float));
            }
        } else if (a.col_stride == 1 && live == mr) {
            // Row-major A: read mr rows side by side so the writes stay sequential.
            for (std::size_t k = 0; k < depth; ++k) {
#pragma GCC unroll 16
                for (std::size_t r = 0; r < mr; ++r) out[k * mr + r] = base[r * a.row_stride + k];
            }
        } else {
            for (std::size_t r = 0; r < live; ++r) {
                const float* src = base + r * a.row_stride;
                for (std::size_t k = 0; k < depth; ++k) out[k * mr + r] = src[k * a.col_stride];
            }
            for (std::size_t r = live; r < mr; ++r) {
                for (std::size_t k = 0; k < depth; ++k) out[k * mr + r] = 0.0f;
            }
        }
        out += depth * mr;
    }
}

// Packs rows [p0, p0 + depth) x columns [j0, j0 + cols) of B into panels of nr columns: panel q
// holds, for each k, the nr values B(p0 + k, j0 + q*nr + c) consecutively. Short panels are
// zero-filled.
inline void pack_b(operand b, std::size_t p0, std::size_t depth, std::size_t j0, std::size_t cols,
                   float* NEUROPLASTIC_RESTRICT out) noexcept {
    constexpr std::size_t nr = gemm_blocking::nr;
    for (std::size_t q = 0; q < cols; q += nr) {
        const std::size_t live = std::min(nr, cols - q);
        const float* base = b.data + p0 * b.row_stride + (j0 + q) * b.col_stride;
        if (b.col_stride == 1 && live == nr) {
            for (std::size_t k = 0; k < depth; ++k) {
                std::memcpy(out + k * nr, base + k * b.row_stride, nr * sizeof(float));
            }
        } else if (b.row_stride == 1 && live == nr) {
            // B is a transposed row-major matrix: read nr rows side by side, write sequentially.
            for (std::size_t k = 0; k < depth; ++k) {
#pragma GCC unroll 32
                for (std::size_t c = 0; c < nr; ++c) out[k * nr + c] = base[c * b.col_stride + k];
            }
        } else {
            for (std::size_t c = 0; c < live; ++c) {
                const float* src = base + c * b.col_stride;
                for (std::size_t k = 0; k < depth; ++k) out[k * nr + c] = src[k * b.row_stride];
            }
            for (std::size_t c = live; c < nr; ++c) {
                for (std::size_t k = 0; k < depth; ++k) out[k * nr + c] = 0.0f;
            }
        }
        out += depth * nr;
    }
}

// How the micro-kernel finds A(r, k) for the r-th row of its panel: in a panel packed by pack_a
// or a column-major A (`a[k * step + r]`), or in a row-major A read in place (`a[r * step + k]`).
enum class a_layout { columns, rows };

// The mr x nr tile of C at `c` (rows ldc apart) becomes (accumulate ? C : 0) + A_panel * B_panel.
// The loops have constant bounds and are unrolled completely, so `acc` lives in registers.
template <std::size_t MR, std::size_t NV, a_layout Layout>
NEUROPLASTIC_INLINE void micro_kernel(std::size_t depth, const float* NEUROPLASTIC_RESTRICT a,
                                      std::size_t step, const float* NEUROPLASTIC_RESTRICT b,
                                      float* c, std::size_t ldc, bool accumulate) noexcept {
    constexpr std::size_t w = simd::width;
    simd::vec acc[MR][NV];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::broadcast(0.0f);
    }

#pragma GCC unroll 4
    for (std::size_t k = 0; k < depth; ++k) {
        simd::vec bv[NV];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) bv[v] = simd::load(b + v * w);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const simd::vec ar = simd::broadcast(Layout == a_layout::columns ? a[r] : a[r * step]);
#pragma GCC unroll 4
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::fma(ar, bv[v], acc[r][v]);
        }
        a += Layout == a_layout::columns ? step : 1;
        b += NV * w;
    }

#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
        float* row = c + r * ldc;
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) {
            simd::vec sum = acc[r][v];
            if (accumulate) sum = sum + simd::load_unaligned(row + v * w);
            simd::store_unaligned(row + v * w, sum);
        }
    }
}

// One tile: the micro-kernel into C directly, or, for a tile cut short by the edge of C, into a
// full-size buffer whose live part is then added or copied.
template <a_layout Layout>
NEUROPLASTIC_INLINE void tile(std::size_t depth, const float* a, std::size_t step, const float* b,
                              float* c, std::size_t ldc, std::size_t rows, std::size_t cols,
                              bool accumulate) noexcept {
    constexpr std::size_t mr = gemm_blocking::mr, nr = gemm_blocking::nr, nv = gemm_blocking::nv;
    if (rows == mr && cols == nr) {
        micro_kernel<mr, nv, Layout>(depth, a, step, b, c, ldc, accumulate);
        return;
    }
    alignas(buffer_alignment) float edge[mr * nr];
    micro_kernel<mr, nv, Layout>(depth, a, step, b, edge, nr, false);
    for (std::size_t r = 0; r < rows; ++r) {
        float* dst = c + r * ldc;
        const float* src = edge + r * nr;
        for (std::size_t j = 0; j < cols; ++j) dst[j] = accumulate ? dst[j] + src[j] : src[j];
    }
}

// Packing buffers of the calling thread, kept between calls so a training step allocates nothing.
inline float* packed_a_buffer() {
    thread_local aligned_buffer<float> buffer(gemm_blocking::mc * gemm_blocking::kc);
    return buffer.data();
}
inline float* packed_b_buffer() {
    thread_local aligned_buffer<float> buffer(gemm_blocking::kc * gemm_blocking::nc);
    return buffer.data();
}

// C rows [i_begin, i_end) of the product, on the calling thread.
//
// B is always packed: its rows are often a power of two apart (a batch of 128 samples), which
// would map a whole panel onto a few L1 sets. A row-major A is read in place, which saves a pass
// over the weights in the forward product; other layouts, and partial panels, are packed
// (measured: reading a column-major A in place was slower than packing it).
inline void gemm_rows(std::size_t i_begin, std::size_t i_end, std::size_t n, std::size_t k,
                      operand a, operand b, float* c, std::size_t ldc, bool accumulate) {
    constexpr std::size_t mr = gemm_blocking::mr, nr = gemm_blocking::nr;
    constexpr std::size_t kc = gemm_blocking::kc, mc = gemm_blocking::mc, nc = gemm_blocking::nc;
    float* const pa = packed_a_buffer();
    float* const pb = packed_b_buffer();
    const bool a_in_place = a.col_stride == 1;

    // The depth is split into equal blocks: a short last block would spend more of its time
    // loading and storing C than multiplying.
    const std::size_t k_blocks = (k + kc - 1) / kc;
    const std::size_t k_step = (k + k_blocks - 1) / k_blocks;

    for (std::size_t jc = 0; jc < n; jc += nc) {
        const std::size_t ncols = std::min(nc, n - jc);
        for (std::size_t pc = 0; pc < k; pc += k_step) {
            const std::size_t depth = std::min(k_step, k - pc);
            const bool add = accumulate || pc > 0;
            pack_b(b, pc, depth, jc, ncols, pb);
            for (std::size_t ic = i_begin; ic < i_end; ic += mc) {
                const std::size_t nrows = std::min(mc, i_end - ic);
                const std::size_t full_rows = a_in_place ? nrows / mr * mr : 0;
                if (full_rows < nrows) {
                    pack_a(a, ic + full_rows, nrows - full_rows, pc, depth, pa);
                }
                for (std::size_t jr = 0; jr < ncols; jr += nr) {
                    const std::size_t cols = std::min(nr, ncols - jr);
                    const float* panel_b = pb + jr * depth;
                    for (std::size_t ir = 0; ir < nrows; ir += mr) {
                        const std::size_t rows = std::min(mr, nrows - ir);
                        float* out = c + (ic + ir) * ldc + jc + jr;
                        if (ir < full_rows) {
                            const float* origin = a.data + (ic + ir) * a.row_stride + pc;
                            tile<a_layout::rows>(depth, origin, a.row_stride, panel_b, out, ldc,
                                                 rows, cols, add);
                        } else {
                            tile<a_layout::columns>(depth, pa + (ir - full_rows) * depth, mr,
                                                    panel_b, out, ldc, rows, cols, add);
                        }
                    }
                }
            }
        }
    }
}

}  // namespace detail

/// C = op(A) op(B) (or C += op(A) op(B) when `accumulate`), where op(A) is m x k, op(B) is k x n
/// and C is row-major m x n with rows `ldc` apart. With a pool, C's rows are split between its
/// threads in blocks; each element is still summed in the same order, so the result does not
/// depend on the number of threads.
inline void gemm(std::size_t m, std::size_t n, std::size_t k, operand a, operand b, float* c,
                 std::size_t ldc, bool accumulate, thread_pool* pool = nullptr) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate) {
            for (std::size_t i = 0; i < m; ++i) std::fill_n(c + i * ldc, n, 0.0f);
        }
        return;
    }
    constexpr std::size_t mr = detail::gemm_blocking::mr;
    const std::size_t threads = pool != nullptr ? pool->threads() : 1;
    if (threads <= 1 || m < 2 * mr) {
        detail::gemm_rows(0, m, n, k, a, b, c, ldc, accumulate);
        return;
    }
    // Row blocks of whole micro-panels, one per thread.
    const std::size_t panels = (m + mr - 1) / mr;
    const std::size_t parts = std::min(threads, panels);
    pool->parallel_for(parts, [&](std::size_t part) {
        const std::size_t begin = panels * part / parts * mr;
        const std::size_t end = std::min(m, panels * (part + 1) / parts * mr);
        detail::gemm_rows(begin, end, n, k, a, b, c, ldc, accumulate);
    });
}

}  // namespace neuroplastic::kernels
