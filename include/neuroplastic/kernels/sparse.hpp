// Kernels of a sparse layer: the forward product, the gradient to the inputs, and the gradient of
// the live weights only (a sampled product), each costing in proportion to the live connections.
// Activations are feature-major (core/batch.hpp), so every connection (o, i) is one broadcast
// weight times a contiguous row of samples, vectorised over the batch. As in every batch the
// library allocates, rows must start on a cache line and the stride must be a multiple of the
// register width; the kernels read and write whole padded rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/aligned_buffer.hpp"
#include "../core/batch.hpp"
#include "../core/config.hpp"
#include "../core/error.hpp"
#include "../core/thread_pool.hpp"
#include "simd.hpp"

namespace neuroplastic::kernels {

/// The live connections of a sparse layer by output neuron (compressed rows with slack): the
/// connections of row o are the slots [row_begin[o], row_begin[o] + row_count[o]), and slot s
/// connects input column[s] to o with the weight weights[s]. Columns ascend within a row.
/// Slots past a row's count are slack and are neither read nor written.
struct sparse_rows {
    std::size_t rows = 0;
    std::size_t cols = 0;
    const std::uint32_t* row_begin = nullptr;
    const std::uint32_t* row_count = nullptr;
    const std::uint32_t* column = nullptr;
};

/// The same connections by input: the connections of input i are the entries
/// [col_begin[i], col_begin[i + 1]), entry e joining i to output row[e] through slot slot[e].
/// Rows ascend within a column.
struct sparse_columns {
    std::size_t rows = 0;
    std::size_t cols = 0;
    const std::uint32_t* col_begin = nullptr;  // cols + 1 values
    const std::uint32_t* row = nullptr;
    const std::uint32_t* slot = nullptr;
};

/// Scratch memory the products by rows (sparse_forward, sparse_weight_gradient) keep between
/// calls: they copy each pass's samples of the inputs into it (detail::copy_chunk). A layer owns
/// one; concurrent calls must not share one. Its contents between calls mean nothing.
class sparse_workspace {
public:
    sparse_workspace() noexcept = default;
    /// A copy starts empty: scratch memory is not part of what a copied layer holds.
    sparse_workspace(const sparse_workspace&) noexcept {}
    sparse_workspace& operator=(const sparse_workspace&) noexcept { return *this; }
    sparse_workspace(sparse_workspace&&) noexcept = default;
    sparse_workspace& operator=(sparse_workspace&&) noexcept = default;
    ~sparse_workspace() = default;

    /// At least `floats` floats, aligned to a cache line; grows, never shrinks.
    [[nodiscard]] float* reserve(std::size_t floats) {
        if (buffer_.size() < floats) buffer_ = aligned_buffer<float>(floats);
        return buffer_.data();
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return buffer_.size(); }

private:
    aligned_buffer<float> buffer_;
};

namespace detail {

// Registers of samples per pass over a row's connections in the forward product and the input
// gradient: every connection costs one load and one FMA per register, and the four sums are
// independent chains.
//
// Each FMA reads 32 bytes that no other FMA nearby reuses, so at a batch of 128 the kernels run
// at the rate the L2 cache feeds L1, not at the FMA units' rate. Passes of 4 registers (two cache
// lines of every row) were measured 12 % faster than passes of 8 in the forward product at
// density 0.1 on Zen 3, and equal at 0.05 and 0.01. Software prefetching, blocking the inputs so
// their rows stay in L1, and passes over one register of samples with the inputs packed into L1
// were all slower when measured: they reload indices and weights for every pass, and at 10 %
// density a block of inputs holds too few connections per row to pay for reloading the partial
// sums. What did pay is copying one pass's samples of every input next to each other first
// (forward_rows_packed). This bound is the kernels' known shortcoming (docs/limits.md).
inline constexpr std::size_t sparse_chunk = 4;

// Connections per input at which the products by rows copy their inputs pass by pass
// (copy_chunk): the copy costs about as much as ten connections read from it save. On
// Zen 3 at 784 -> 300, batch 128, the forward product with the copy was 16 % faster at density
// 0.1 (30 connections per input), 5 % at 0.05, even between 0.03 and 0.04, and 33 % slower at
// 0.01; the weight gradient 24 % faster at 0.1 (docs/benchmarks.md).
inline constexpr std::size_t sparse_pack_min_uses = 10;

// Connections the weight gradient reduces side by side, sharing one load of dy per register.
inline constexpr std::size_t sparse_group = 8;

// Work below which a call stays on the calling thread: waking the pool costs microseconds.
inline constexpr std::size_t sparse_min_lanes_per_part = std::size_t{1} << 15;

template <std::size_t N>
using vectors_t = std::integral_constant<std::size_t, N>;

// Calls chunk(vectors_t<n>{}, s) for consecutive chunks of samples covering [0, stride): full
// chunks of sparse_chunk registers, then a remainder split into 2 and 1 registers, so any stride
// that is a multiple of the register width is covered without a scalar tail.
template <class Chunk>
NEUROPLASTIC_INLINE void for_each_chunk(std::size_t stride, Chunk&& chunk) {
    static_assert(sparse_chunk == 4, "the remainder below assumes chunks of 4 registers");
    constexpr std::size_t w = simd::width;
    std::size_t s = 0;
    for (; s + sparse_chunk * w <= stride; s += sparse_chunk * w) {
        chunk(vectors_t<sparse_chunk>{}, s);
    }
    if (s + 2 * w <= stride) {
        chunk(vectors_t<2>{}, s);
        s += 2 * w;
    }
    if (s + w <= stride) chunk(vectors_t<1>{}, s);
}

// out[0 .. NV registers) = start + sum over k < terms of weight(k) * source(k)[0 .. NV registers),
// added in the order of k. `source(k)` points at the samples of the chunk in the k-th row read.
template <std::size_t NV, class Weight, class Source>
NEUROPLASTIC_INLINE void sum_scaled_rows(std::size_t terms, Weight&& weight, Source&& source,
                                         float start, float* NEUROPLASTIC_RESTRICT out) noexcept {
    constexpr std::size_t w = simd::width;
    simd::vec acc[NV];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NV; ++v) acc[v] = simd::broadcast(start);

    for (std::size_t k = 0; k < terms; ++k) {
        const simd::vec scale = simd::broadcast(weight(k));
        const float* row = source(k);
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) {
            acc[v] = simd::fma(scale, simd::load(row + v * w), acc[v]);
        }
    }

#pragma GCC unroll 8
    for (std::size_t v = 0; v < NV; ++v) simd::store(out + v * w, acc[v]);
}

// out[k] = dy . x[column[k]] over `vectors` registers, for G connections at once. Each connection
// has A accumulators taking alternate registers of samples, so G * A chains of FMAs are in flight
// (at least 8, which covers the FMA latency); dy is loaded once per register for all G. A group
// as wide as a register is reduced by one transposing sum and stored in one go.
template <std::size_t G, std::size_t A>
NEUROPLASTIC_INLINE void dot_group(const float* NEUROPLASTIC_RESTRICT dy, const float* x,
                                   std::size_t x_stride, const std::uint32_t* column,
                                   std::size_t vectors, float* out) noexcept {
    constexpr std::size_t w = simd::width;
    const float* rows[G];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < G; ++k) rows[k] = x + std::size_t{column[k]} * x_stride;

    simd::vec acc[G][A];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < G; ++k) {
#pragma GCC unroll 8
        for (std::size_t a = 0; a < A; ++a) acc[k][a] = simd::broadcast(0.0f);
    }

    const std::size_t whole = vectors / A * A;
    for (std::size_t v = 0; v < whole; v += A) {
#pragma GCC unroll 8
        for (std::size_t a = 0; a < A; ++a) {
            const simd::vec d = simd::load(dy + (v + a) * w);
#pragma GCC unroll 8
            for (std::size_t k = 0; k < G; ++k) {
                acc[k][a] = simd::fma(d, simd::load(rows[k] + (v + a) * w), acc[k][a]);
            }
        }
    }
    for (std::size_t v = whole; v < vectors; ++v) {
        const simd::vec d = simd::load(dy + v * w);
#pragma GCC unroll 8
        for (std::size_t k = 0; k < G; ++k) {
            acc[k][0] = simd::fma(d, simd::load(rows[k] + v * w), acc[k][0]);
        }
    }

    simd::vec sums[G];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < G; ++k) {
        sums[k] = acc[k][0];
#pragma GCC unroll 8
        for (std::size_t a = 1; a < A; ++a) sums[k] = sums[k] + acc[k][a];
    }
    if constexpr (G == w) {
        simd::store_unaligned(out, simd::reduce_add_each(sums));
    } else {
#pragma GCC unroll 8
        for (std::size_t k = 0; k < G; ++k) out[k] = simd::reduce_add(sums[k]);
    }
}

// A short group of G < sparse_group connections, with enough accumulators each to keep about 8
// chains of FMAs in flight.
template <std::size_t G>
NEUROPLASTIC_INLINE void dot_short_group(const float* dy, const float* x, std::size_t x_stride,
                                         const std::uint32_t* column, std::size_t vectors,
                                         float* out) noexcept {
    dot_group<G, (sparse_group + G - 1) / G>(dy, x, x_stride, column, vectors, out);
}

inline void forward_rows(const sparse_rows& w, const float* weights, const float* bias,
                         matrix_view<const float> x, matrix_view<float> y, std::size_t first,
                         std::size_t last) noexcept {
    for (std::size_t o = first; o < last; ++o) {
        const std::uint32_t* column = w.column + w.row_begin[o];
        const float* weight = weights + w.row_begin[o];
        const std::size_t count = w.row_count[o];
        const float start = bias != nullptr ? bias[o] : 0.0f;
        float* out = y.row(o);
        for_each_chunk(y.stride, [&](auto vectors, std::size_t s) {
            sum_scaled_rows<decltype(vectors)::value>(
                count, [&](std::size_t k) { return weight[k]; },
                [&](std::size_t k) { return x.data + std::size_t{column[k]} * x.stride + s; },
                start, out + s);
        });
    }
}

// Copies the chunk of NV registers of samples that starts at s, of every row of x, next to each
// other into `packed` (x.rows times NV registers).
template <std::size_t NV>
NEUROPLASTIC_INLINE void copy_chunk(matrix_view<const float> x, std::size_t s,
                                    float* NEUROPLASTIC_RESTRICT packed) noexcept {
    constexpr std::size_t width = simd::width;
    for (std::size_t i = 0; i < x.rows; ++i) {
        const float* from = x.row(i) + s;
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) {
            simd::store(packed + (i * NV + v) * width, simd::load(from + v * width));
        }
    }
}

// Rows [first, last) as forward_rows computes them, bit for bit, with the loops turned: for each
// chunk of samples, that chunk of every input is copied next to each other into `packed`
// (copy_chunk), and then every row sums from the copy. A pass then reads 100 KB that lie
// together instead of two lines out of every eight of 400 KB (784 inputs, batch 128), which the
// L2 cache and its prefetcher serve faster.
inline void forward_rows_packed(const sparse_rows& w, const float* weights, const float* bias,
                                matrix_view<const float> x, matrix_view<float> y, std::size_t first,
                                std::size_t last, float* NEUROPLASTIC_RESTRICT packed) noexcept {
    for_each_chunk(y.stride, [&](auto vectors, std::size_t s) {
        constexpr std::size_t nv = decltype(vectors)::value;
        constexpr std::size_t floats = nv * simd::width;
        copy_chunk<nv>(x, s, packed);
        for (std::size_t o = first; o < last; ++o) {
            const std::uint32_t* column = w.column + w.row_begin[o];
            const float* weight = weights + w.row_begin[o];
            sum_scaled_rows<nv>(
                w.row_count[o], [&](std::size_t k) { return weight[k]; },
                [&](std::size_t k) { return packed + std::size_t{column[k]} * floats; },
                bias != nullptr ? bias[o] : 0.0f, y.row(o) + s);
        }
    });
}

inline void backward_input_columns(const sparse_columns& w, const float* weights,
                                   matrix_view<const float> dy, matrix_view<float> dx,
                                   std::size_t first, std::size_t last) noexcept {
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t begin = w.col_begin[i];
        const std::size_t count = w.col_begin[i + 1] - begin;
        const std::uint32_t* row = w.row + begin;
        const std::uint32_t* slot = w.slot + begin;
        float* out = dx.row(i);
        for_each_chunk(dx.stride, [&](auto vectors, std::size_t s) {
            sum_scaled_rows<decltype(vectors)::value>(
                count, [&](std::size_t k) { return weights[slot[k]]; },
                [&](std::size_t k) { return dy.data + std::size_t{row[k]} * dy.stride + s; }, 0.0f,
                out + s);
        });
    }
}

// Entries of one input that the fused backward pass takes at a time: their partial weight
// gradients, one register each, live on the stack (2 KB with AVX2) across the chunks of samples.
inline constexpr std::size_t sparse_backward_block = 64;

// One chunk of NV registers of samples for entries [0, n) of one input (rows row[k], slots
// slot[k]): dx += the sum over k of weight[slot[k]] * dy[row[k]], added in the order of k onto
// zero (first) or onto what dx holds, and partial[k] += dy[row[k]] * x lane by lane. The samples
// of x stay in registers and each register of dy is loaded once for both products. The partial
// gradient takes two chains (even and odd registers) so that a connection's four FMAs do not wait
// on each other.
template <std::size_t NV>
NEUROPLASTIC_INLINE void backward_chunk(std::size_t n, const std::uint32_t* row,
                                        const std::uint32_t* slot, const float* weights,
                                        const float* dy, std::size_t dy_stride,
                                        const float* NEUROPLASTIC_RESTRICT x,
                                        float* NEUROPLASTIC_RESTRICT dx, bool first,
                                        simd::vec* NEUROPLASTIC_RESTRICT partial) noexcept {
    constexpr std::size_t w = simd::width;
    simd::vec xs[NV], sums[NV];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
        xs[v] = simd::load(x + v * w);
        sums[v] = first ? simd::broadcast(0.0f) : simd::load(dx + v * w);
    }
    for (std::size_t k = 0; k < n; ++k) {
        const float* d = dy + std::size_t{row[k]} * dy_stride;
        const simd::vec scale = simd::broadcast(weights[slot[k]]);
        simd::vec ds[NV];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) {
            ds[v] = simd::load(d + v * w);
            sums[v] = simd::fma(scale, ds[v], sums[v]);
        }
        simd::vec even = simd::fma(ds[0], xs[0], partial[k]);
        if constexpr (NV == 1) {
            partial[k] = even;
        } else {
            simd::vec odd = ds[1] * xs[1];
#pragma GCC unroll 4
            for (std::size_t v = 2; v < NV; v += 2) {
                even = simd::fma(ds[v], xs[v], even);
                odd = simd::fma(ds[v + 1], xs[v + 1], odd);
            }
            partial[k] = even + odd;
        }
    }
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) simd::store(dx + v * w, sums[v]);
}

// Both gradients for inputs [first, last), in blocks of sparse_backward_block entries per input.
// Known shortcoming (docs/limits.md): at density 0.1 this pass reads dy at about half the rate
// the L2 cache delivers such rows, limited by its instructions; a second set of sums, prefetching
// the next rows, passes of 2 or 8 registers, gathering the weights first, and whole rows of dy
// per entry with dx's row in L1 were measured and were not faster (docs/benchmarks.md).
inline void backward_columns(const sparse_columns& w, const float* weights,
                             matrix_view<const float> x, matrix_view<const float> dy,
                             matrix_view<float> dx, float* gradient, std::size_t first,
                             std::size_t last) noexcept {
    constexpr std::size_t width = simd::width;
    simd::vec partial[sparse_backward_block];
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t begin = w.col_begin[i];
        const std::size_t count = w.col_begin[i + 1] - begin;
        const float* xi = x.row(i);
        float* dxi = dx.row(i);
        if (count == 0) {
            std::fill(dxi, dxi + dx.stride, 0.0f);
            continue;
        }
        for (std::size_t b = 0; b < count; b += sparse_backward_block) {
            const std::size_t n = std::min(sparse_backward_block, count - b);
            const std::uint32_t* row = w.row + begin + b;
            const std::uint32_t* slot = w.slot + begin + b;
            std::fill(partial, partial + n, simd::broadcast(0.0f));
            for_each_chunk(dx.stride, [&](auto vectors, std::size_t s) {
                backward_chunk<decltype(vectors)::value>(n, row, slot, weights, dy.data + s,
                                                         dy.stride, xi + s, dxi + s, b == 0,
                                                         partial);
            });
            std::size_t k = 0;
            for (; k + width <= n; k += width) {
                alignas(buffer_alignment) float sums[width];
                simd::store(sums, simd::reduce_add_each(partial + k));
#pragma GCC unroll 16
                for (std::size_t j = 0; j < width; ++j) gradient[slot[k + j]] = sums[j];
            }
            for (; k < n; ++k) gradient[slot[k]] = simd::reduce_add(partial[k]);
        }
    }
}

inline void weight_gradient_rows(const sparse_rows& w, matrix_view<const float> x,
                                 matrix_view<const float> dy, float* gradient, std::size_t first,
                                 std::size_t last) noexcept {
    const std::size_t vectors = dy.stride / simd::width;
    for (std::size_t o = first; o < last; ++o) {
        const std::size_t begin = w.row_begin[o], count = w.row_count[o];
        const std::uint32_t* column = w.column + begin;
        const float* d = dy.row(o);
        float* out = gradient + begin;
        std::size_t k = 0;
        for (; k + sparse_group <= count; k += sparse_group) {
            dot_group<sparse_group, 1>(d, x.data, x.stride, column + k, vectors, out + k);
        }
        // The rest, fewer than sparse_group connections, in one short group of that size.
        [&]<std::size_t... G>(std::index_sequence<G...>) {
            const std::size_t rest = count - k;
            (void)((rest == G + 1 &&
                    (dot_short_group<G + 1>(d, x.data, x.stride, column + k, vectors, out + k),
                     true)) ||
                   ...);
        }
        (std::make_index_sequence<sparse_group - 1>{});
    }
}

// out[k] = (or, unless first, +=) dy . x[column[k]] over one chunk of NV registers, for G
// connections at once, with x's chunk copied by copy_chunk; one chain of FMAs per connection, so
// G chains are in flight.
template <std::size_t G, std::size_t NV>
NEUROPLASTIC_INLINE void dot_group_packed(const float* NEUROPLASTIC_RESTRICT dy,
                                          const float* packed, const std::uint32_t* column,
                                          bool first, float* out) noexcept {
    constexpr std::size_t w = simd::width;
    const float* rows[G];
    simd::vec acc[G];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < G; ++k) {
        rows[k] = packed + std::size_t{column[k]} * (NV * w);
        acc[k] = simd::broadcast(0.0f);
    }
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) {
        const simd::vec d = simd::load(dy + v * w);
#pragma GCC unroll 8
        for (std::size_t k = 0; k < G; ++k)
            acc[k] = simd::fma(d, simd::load(rows[k] + v * w), acc[k]);
    }
    if constexpr (G == w) {
        const simd::vec sums = simd::reduce_add_each(acc);
        simd::store_unaligned(out, first ? sums : sums + simd::load_unaligned(out));
    } else {
#pragma GCC unroll 8
        for (std::size_t k = 0; k < G; ++k) {
            const float sum = simd::reduce_add(acc[k]);
            out[k] = first ? sum : out[k] + sum;
        }
    }
}

// The weight gradient of rows [first, last) chunk by chunk of samples, each chunk of x copied
// first as in forward_rows_packed: a slot's gradient is the sum of its chunks' dot products, in
// the order of the chunks (so not the bits of weight_gradient_rows, which sums whole rows).
inline void weight_gradient_rows_packed(const sparse_rows& w, matrix_view<const float> x,
                                        matrix_view<const float> dy, float* gradient,
                                        std::size_t first, std::size_t last,
                                        float* NEUROPLASTIC_RESTRICT packed) noexcept {
    for_each_chunk(dy.stride, [&](auto vectors, std::size_t s) {
        constexpr std::size_t nv = decltype(vectors)::value;
        copy_chunk<nv>(x, s, packed);
        for (std::size_t o = first; o < last; ++o) {
            const std::size_t begin = w.row_begin[o], count = w.row_count[o];
            const std::uint32_t* column = w.column + begin;
            const float* d = dy.row(o) + s;
            float* out = gradient + begin;
            std::size_t k = 0;
            for (; k + sparse_group <= count; k += sparse_group) {
                dot_group_packed<sparse_group, nv>(d, packed, column + k, s == 0, out + k);
            }
            // The rest one at a time: at a chunk's four FMAs each, choosing a short group by its
            // size (as weight_gradient_rows does) costs more in mispredicted branches than it
            // saves (0.160 against 0.139 ms at density 0.1).
            for (; k < count; ++k) {
                dot_group_packed<1, nv>(d, packed, column + k, s == 0, out + k);
            }
        }
    });
}

// The first row r at which the cost of rows [0, r) reaches `target`, where a row costs its
// connections plus one (an empty row still loads and stores its outputs).
inline std::size_t row_at_cost(const sparse_rows& w, std::size_t target) noexcept {
    std::size_t cost = 0, r = 0;
    while (r < w.rows && cost < target) cost += w.row_count[r++] + 1;
    return r;
}

// The first input i at which the cost of inputs [0, i) reaches `target`, costed as in row_at_cost;
// col_begin[i] + i is that cost and increases strictly, so a binary search finds it.
inline std::size_t column_at_cost(const sparse_columns& w, std::size_t target) noexcept {
    std::size_t low = 0, high = w.cols;
    while (low < high) {
        const std::size_t mid = low + (high - low) / 2;
        if (w.col_begin[mid] + mid < target) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

// How many parts to split `cost` units of `lanes` samples each into: one per thread, but none
// smaller than sparse_min_lanes_per_part.
inline std::size_t sparse_parts(const thread_pool* pool, std::size_t cost,
                                std::size_t lanes) noexcept {
    if (pool == nullptr) return 1;
    const std::size_t by_work = cost * lanes / sparse_min_lanes_per_part;
    return std::max<std::size_t>(1, std::min(pool->threads(), by_work));
}

// Runs body(first, last, part) over [0, count) at once (part 0), or over parts of about equal
// cost on a pool's threads (parts 0, 1, ...; sparse_parts says how many), where at(c) is the first
// index at which the cost before it reaches c and `total` is the whole cost. The lambda handed to
// the pool holds one reference, so it fits std::function's own storage: nothing is allocated.
template <class At, class Body>
void split_by_cost(thread_pool* pool, std::size_t count, std::size_t total, std::size_t lanes,
                   At&& at, Body&& body) {
    const std::size_t parts = sparse_parts(pool, total, lanes);
    if (parts <= 1) {
        body(std::size_t{0}, count, std::size_t{0});
        return;
    }
    const struct {
        At& at;
        Body& body;
        std::size_t total, parts;
    } job{at, body, total, parts};
    pool->parallel_for(parts, [&job](std::size_t part) {
        job.body(job.at(job.total * part / job.parts), job.at(job.total * (part + 1) / job.parts),
                 part);
    });
}

// The live connections of a table.
inline std::size_t live_connections(const sparse_rows& w) noexcept {
    std::size_t n = 0;
    for (std::size_t o = 0; o < w.rows; ++o) n += w.row_count[o];
    return n;
}

// Rows of a table split by their connections (row_at_cost), and inputs by theirs
// (column_at_cost).
template <class Body>
void split_rows(const sparse_rows& w, thread_pool* pool, std::size_t lanes, Body&& body) {
    // A row costs its connections plus one, as row_at_cost counts it.
    const std::size_t total = live_connections(w) + w.rows;
    split_by_cost(
        pool, w.rows, total, lanes, [&w](std::size_t c) { return row_at_cost(w, c); }, body);
}

template <class Body>
void split_columns(const sparse_columns& w, thread_pool* pool, std::size_t lanes, Body&& body) {
    split_by_cost(
        pool, w.cols, w.col_begin[w.cols] + w.cols, lanes,
        [&w](std::size_t c) { return column_at_cost(w, c); }, body);
}

// Where a product by rows reads copies of its inputs (copy_chunk): one region per thread of the
// pool (a split has at most that many parts), in a workspace. Only where the table reads each
// input sparse_pack_min_uses times or more, judged on the whole table so that every part, on any
// number of threads, takes the same route and the weight gradient keeps its bits.
// Known shortcoming: every part copies every input, so on several threads a part whose rows read
// each input fewer than sparse_pack_min_uses times still copies; the threshold was measured on
// one thread only (docs/limits.md).
struct input_copies {
    bool on = false;
    float* data = nullptr;
    std::size_t region = 0;

    [[nodiscard]] float* part(std::size_t p) const noexcept { return data + p * region; }
};

inline input_copies plan_input_copies(const sparse_rows& w, const thread_pool* pool,
                                      sparse_workspace* workspace) {
    if (workspace == nullptr || live_connections(w) < sparse_pack_min_uses * w.cols) return {};
    const std::size_t region = w.cols * sparse_chunk * simd::width;
    const std::size_t parts = pool == nullptr ? 1 : pool->threads();
    return {true, workspace->reserve(region * parts), region};
}

inline void require_size(const char* kernel, std::size_t expected, const char* what,
                         std::size_t found) {
    if (expected == found) return;
    throw shape_error(std::string(kernel) + ": expected " + std::to_string(expected) + " " + what +
                      ", found " + std::to_string(found));
}

inline void require_stride(const char* kernel, std::size_t stride) {
    if (stride % simd::width == 0) return;
    throw shape_error(std::string(kernel) + ": expected a row stride that is a multiple of " +
                      std::to_string(simd::width) + " floats, found " + std::to_string(stride));
}

}  // namespace detail

/// y = W x + b: y.rows == w.rows outputs, x.rows == w.cols inputs; every padded sample (up to
/// the stride, which x and y share) is computed. `bias` may be null for none. With a pool, rows
/// are split between its threads; each row is summed in the same order on any thread, so the
/// result does not depend on the number of threads. With a workspace, where the table reads
/// each input often enough (sparse_pack_min_uses), the inputs are first copied pass by pass into
/// it, which gives the same bits faster; the workspace may grow (x.rows times 4 registers of
/// floats per thread).
inline void sparse_forward(const sparse_rows& w, const float* weights, const float* bias,
                           matrix_view<const float> x, matrix_view<float> y,
                           thread_pool* pool = nullptr, sparse_workspace* workspace = nullptr) {
    constexpr const char* kernel = "sparse_forward";
    detail::require_size(kernel, w.cols, "rows of x (the layer's inputs)", x.rows);
    detail::require_size(kernel, w.rows, "rows of y (the layer's outputs)", y.rows);
    detail::require_size(kernel, x.samples, "samples in y (those of x)", y.samples);
    detail::require_size(kernel, x.stride, "floats of row stride in y (that of x)", y.stride);
    detail::require_stride(kernel, y.stride);

    const detail::input_copies copies = detail::plan_input_copies(w, pool, workspace);
    const auto rows = [&](std::size_t first, std::size_t last, std::size_t part) {
        if (copies.on) {
            detail::forward_rows_packed(w, weights, bias, x, y, first, last, copies.part(part));
        } else {
            detail::forward_rows(w, weights, bias, x, y, first, last);
        }
    };
    detail::split_rows(w, pool, y.stride, rows);
}

/// dx = W^T dy: dx.rows == w.cols inputs, dy.rows == w.rows outputs. Every row of dx is written,
/// rows of inputs with no connection with zeros, over the whole stride: the padding of dx stays
/// zero when that of dy is (the library's invariant). Inputs are split between a pool's threads;
/// the result does not depend on their number.
inline void sparse_backward_input(const sparse_columns& w, const float* weights,
                                  matrix_view<const float> dy, matrix_view<float> dx,
                                  thread_pool* pool = nullptr) {
    constexpr const char* kernel = "sparse_backward_input";
    detail::require_size(kernel, w.rows, "rows of dy (the layer's outputs)", dy.rows);
    detail::require_size(kernel, w.cols, "rows of dx (the layer's inputs)", dx.rows);
    detail::require_size(kernel, dy.samples, "samples in dx (those of dy)", dx.samples);
    detail::require_size(kernel, dy.stride, "floats of row stride in dx (that of dy)", dx.stride);
    detail::require_stride(kernel, dx.stride);

    detail::split_columns(w, pool, dx.stride,
                          [&](std::size_t first, std::size_t last, std::size_t) {
                              detail::backward_input_columns(w, weights, dy, dx, first, last);
                          });
}

/// Both gradients of a sparse layer in one pass over its connections by input: dx = W^T dy,
/// with the bits sparse_backward_input gives, and the gradient of every live slot, as
/// sparse_weight_gradient gives it up to rounding (its sums run in another order). Shapes and
/// padding are those of the two kernels; x, dy and dx share one stride. Each row of dy that an
/// input reads serves both products, so this costs about two thirds of the two kernels apart
/// (docs/benchmarks.md). Inputs are split between a pool's threads; the result does not depend
/// on their number.
inline void sparse_backward(const sparse_columns& w, const float* weights,
                            matrix_view<const float> x, matrix_view<const float> dy,
                            matrix_view<float> dx, float* gradient, thread_pool* pool = nullptr) {
    constexpr const char* kernel = "sparse_backward";
    detail::require_size(kernel, w.cols, "rows of x (the layer's inputs)", x.rows);
    detail::require_size(kernel, w.rows, "rows of dy (the layer's outputs)", dy.rows);
    detail::require_size(kernel, w.cols, "rows of dx (the layer's inputs)", dx.rows);
    detail::require_size(kernel, x.samples, "samples in dy (those of x)", dy.samples);
    detail::require_size(kernel, x.samples, "samples in dx (those of x)", dx.samples);
    detail::require_size(kernel, x.stride, "floats of row stride in dy (that of x)", dy.stride);
    detail::require_size(kernel, x.stride, "floats of row stride in dx (that of x)", dx.stride);
    detail::require_stride(kernel, dx.stride);

    detail::split_columns(
        w, pool, dx.stride, [&](std::size_t first, std::size_t last, std::size_t) {
            detail::backward_columns(w, weights, x, dy, dx, gradient, first, last);
        });
}

/// gradient[s] = the sum over samples of dy[o][j] * x[column[s]][j] for every live slot s of
/// every row o: the gradient of the live weights only (the dense dy x^T sampled at the live
/// connections). Slack slots are not written. The sum runs over the whole padded stride, which
/// adds nothing when dy's padding is zero and x's is finite (the library's invariant). Rows are
/// split between a pool's threads; the result does not depend on their number. With a
/// workspace, as in sparse_forward, the inputs are copied pass by pass where the table reads
/// each often enough, and each slot sums its chunks of samples in turn: faster, and other bits
/// than without (the same on any number of threads).
inline void sparse_weight_gradient(const sparse_rows& w, matrix_view<const float> x,
                                   matrix_view<const float> dy, float* gradient,
                                   thread_pool* pool = nullptr,
                                   sparse_workspace* workspace = nullptr) {
    constexpr const char* kernel = "sparse_weight_gradient";
    detail::require_size(kernel, w.cols, "rows of x (the layer's inputs)", x.rows);
    detail::require_size(kernel, w.rows, "rows of dy (the layer's outputs)", dy.rows);
    detail::require_size(kernel, x.samples, "samples in dy (those of x)", dy.samples);
    detail::require_size(kernel, x.stride, "floats of row stride in dy (that of x)", dy.stride);
    detail::require_stride(kernel, dy.stride);

    const detail::input_copies copies = detail::plan_input_copies(w, pool, workspace);
    const auto rows = [&](std::size_t first, std::size_t last, std::size_t part) {
        if (copies.on) {
            detail::weight_gradient_rows_packed(w, x, dy, gradient, first, last, copies.part(part));
        } else {
            detail::weight_gradient_rows(w, x, dy, gradient, first, last);
        }
    };
    detail::split_rows(w, pool, dy.stride, rows);
}

}  // namespace neuroplastic::kernels
